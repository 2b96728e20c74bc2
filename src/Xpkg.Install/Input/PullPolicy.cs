namespace Xpkg.Install.Input;

/// <summary><c>spec.packagePullPolicy</c>, with the words of Kubernetes and Crossplane.</summary>
public enum PullPolicy
{
    IfNotPresent,
    Always,
    Never,
}
