namespace Xpkg.Server.Tests;

/// <summary>The registry the conformance workflows run against: ours, or the one <c>XPKG_CONFORMANCE_URL</c> names.</summary>
public class ConformanceRegistry : RegistryFixture
{
    protected override bool MayUseExternalRegistry => true;
}
