namespace Xpkg.Oci.Archives;

/// <summary>One image found in an archive: its root descriptor and the names the archive gives it.</summary>
public sealed record ArchiveImage(Descriptor Root, IReadOnlyList<string> Names);
