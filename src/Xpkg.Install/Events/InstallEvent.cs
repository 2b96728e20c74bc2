namespace Xpkg.Install.Events;

/// <summary>One decision of an install: what it is about, and what was decided and why.</summary>
/// <param name="Subject">The package (<c>Kind/name</c>) or object the decision concerns.</param>
/// <param name="Step">A short word for the kind of decision: <c>reference</c>, <c>rewrite</c>, <c>policy</c>, <c>dependency</c>, ...</param>
/// <param name="Message">The decision, in words.</param>
public sealed record InstallEvent(string Subject, string Step, string Message)
{
    public override string ToString() => $"{Subject}: {Step}: {Message}";
}
