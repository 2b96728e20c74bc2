namespace Xpkg.Install.Resolution;

/// <summary>Walks the chosen packages along their dependencies: reachability, cycle detection, order.</summary>
internal static class DependencyGraph
{
    /// <summary>The packages reachable from the roots through dependencies that have a package chosen.</summary>
    public static List<PackageNode> Reachable(IReadOnlyList<PackageNode> roots, IReadOnlyDictionary<string, PackageNode> selected)
    {
        var seen = new HashSet<PackageNode>(ReferenceEqualityComparer.Instance);
        var order = new List<PackageNode>();
        var pending = new Queue<PackageNode>(roots);
        while (pending.Count > 0)
        {
            var node = pending.Dequeue();
            if (!seen.Add(node))
            {
                continue;
            }

            order.Add(node);
            foreach (var r in node.Requirements)
            {
                if (selected.TryGetValue(r.Key, out var next))
                {
                    pending.Enqueue(next);
                }
            }
        }

        return order;
    }

    /// <summary>
    /// Fails on a cycle, naming it (<c>detected cycle on: A -&gt; B -&gt; A</c>), else returns the roots in input
    /// order followed by the dependencies by kind and name.
    /// </summary>
    public static IReadOnlyList<PackageNode> Order(IReadOnlyList<PackageNode> roots, IReadOnlyDictionary<string, PackageNode> selected)
    {
        var state = new Dictionary<PackageNode, bool>(ReferenceEqualityComparer.Instance);
        var path = new List<PackageNode>();
        foreach (var root in roots)
        {
            Visit(root, selected, state, path);
        }

        var reachable = Reachable(roots, selected);
        return roots.Concat(reachable.Where(n => !n.IsRoot).OrderBy(n => n.Kind).ThenBy(n => n.Name, StringComparer.Ordinal)).ToList();
    }

    private static void Visit(PackageNode node, IReadOnlyDictionary<string, PackageNode> selected, Dictionary<PackageNode, bool> done, List<PackageNode> path)
    {
        if (done.TryGetValue(node, out bool finished))
        {
            if (!finished)
            {
                var cycle = path.Skip(path.IndexOf(node)).Append(node).Select(n => n.Subject + " (" + n.Source + ")");
                throw new ResolutionException("detected cycle on: " + string.Join(" -> ", cycle),
                    "packages may not depend on themselves, directly or through other packages");
            }

            return;
        }

        done[node] = false;
        path.Add(node);
        foreach (var r in node.Requirements)
        {
            if (selected.TryGetValue(r.Key, out var next))
            {
                Visit(next, selected, done, path);
            }
        }

        path.RemoveAt(path.Count - 1);
        done[node] = true;
    }
}
