namespace Xpkg.Install.ImageConfigs;

/// <summary>An ImageConfig chosen for one purpose, and the prefix that made it win.</summary>
public sealed record ImageConfigMatch(string Name, ImageConfigPurpose Purpose, string Prefix);
