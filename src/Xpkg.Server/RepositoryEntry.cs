using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>One cache reference seen as part of a served repository.</summary>
public sealed record RepositoryEntry(StoredReference Stored, string Registry, string? Tag, Digest? Digest)
{
    public Digest RootDigest => Stored.Root.Digest;
}
