namespace Xpkg.Install.Sources;

/// <summary>Where the content of a resolved package came from this run.</summary>
public enum ImageOrigin
{
    /// <summary>The local cache answered; no connection was opened.</summary>
    Cache,

    /// <summary>A registry was asked (and the cache filled from it).</summary>
    Registry,

    /// <summary>The node's containerd image store had it (a local socket, no network); it was copied into the cache.</summary>
    Containerd,
}
