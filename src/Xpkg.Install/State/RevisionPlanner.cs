using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Resolution;

namespace Xpkg.Install.State;

/// <summary>
/// Crossplane's revision rules: the current revision is the one named after the resolved digest; a new one
/// gets the next number, and one that comes back is renumbered above the others; Automatic activation makes
/// it Active and every other revision Inactive, Manual leaves a new revision Inactive; with a non-zero
/// <c>revisionHistoryLimit</c> the oldest revisions beyond the limit are pruned. Crossplane prunes one per
/// reconcile; one install converges at once.
/// </summary>
public static class RevisionPlanner
{
    public static RevisionPlan Plan(PackageNode node, IReadOnlyList<InstalledRevision> previous, InstallLog log)
    {
        string name = node.RevisionName;
        long max = previous.Count == 0 ? 0 : previous.Max(r => r.Number);
        var existing = previous.FirstOrDefault(r => r.Name == name);
        long number = existing is not null && existing.Number == max ? existing.Number : max + 1;
        bool automatic = node.Request.RevisionActivationPolicy == ActivationPolicy.Automatic;
        bool active = automatic || existing?.Active == true;

        if (existing is null)
        {
            log.Add(node.Subject, "revision", $"new revision {name} (number {number}, {(active ? "Active" : "Inactive: revisionActivationPolicy Manual")})");
        }
        else if (existing.Number != number)
        {
            log.Add(node.Subject, "revision", $"revision {name} is current again and is renumbered {existing.Number} -> {number}");
        }
        else
        {
            log.Add(node.Subject, "revision", $"revision {name} (number {number}) is already current; nothing changes");
        }

        var older = previous.Where(r => r.Name != name)
            .Select(r => new PlannedRevision(r.Name, r.Number, active ? false : r.Active))
            .OrderByDescending(r => r.Number)
            .ToList();
        foreach (var r in previous.Where(r => r.Name != name && r.Active && active))
        {
            log.Add(node.Subject, "revision", $"revision {r.Name} becomes Inactive");
        }

        var pruned = new List<InstalledRevision>();
        long limit = node.Request.RevisionHistoryLimit;
        if (limit > 0)
        {
            // The limit counts inactive revisions; an active one is never pruned.
            while (older.Count > limit && older.LastOrDefault(r => !r.Active) is { } oldest)
            {
                older.Remove(oldest);
                pruned.Add(previous.First(r => r.Name == oldest.Name));
                log.Add(node.Subject, "revision", $"revision {oldest.Name} (number {oldest.Number}) pruned: revisionHistoryLimit is {limit}");
            }
        }

        return new RevisionPlan(new PlannedRevision(name, number, active), older, pruned);
    }
}
