namespace PoseKD.Geometry.Metrics;

/// <summary>
/// A 3D k-d tree over a point set [n, 3] for exact nearest-neighbour queries (ADD-S / ADI closest
/// points). Built by median splits on the widest axis; leaves hold up to 8 points.
/// </summary>
public sealed class PointKdTree
{
    private const int LeafSize = 8;
    private readonly double[] _pts;   // permuted copy [n, 3]
    private readonly int[] _index;    // original index of each permuted point
    private readonly int[] _nodeLo, _nodeHi, _nodeAxis, _nodeLeft, _nodeRight;
    private readonly double[] _nodeSplit;
    private int _nodeCount;

    /// <summary>Number of points.</summary>
    public int Count { get; }

    /// <summary>Builds the tree over <paramref name="points"/> [n, 3] (copied).</summary>
    public PointKdTree(ReadOnlySpan<double> points)
    {
        if (points.Length == 0 || points.Length % 3 != 0) throw new ArgumentException($"points must be a non-empty [n, 3] array, got length {points.Length}", nameof(points));
        Count = points.Length / 3;
        _pts = points.ToArray();
        _index = new int[Count];
        for (int i = 0; i < Count; i++) _index[i] = i;
        int maxNodes = 2 * (Count / LeafSize + 1) * 2 + 4;
        _nodeLo = new int[maxNodes]; _nodeHi = new int[maxNodes]; _nodeAxis = new int[maxNodes];
        _nodeLeft = new int[maxNodes]; _nodeRight = new int[maxNodes]; _nodeSplit = new double[maxNodes];
        Build(0, Count);
    }

    private int Build(int lo, int hi)
    {
        int node = _nodeCount++;
        _nodeLo[node] = lo; _nodeHi[node] = hi;
        if (hi - lo <= LeafSize) { _nodeAxis[node] = -1; return node; }
        Span<double> mn = [double.MaxValue, double.MaxValue, double.MaxValue];
        Span<double> mx = [double.MinValue, double.MinValue, double.MinValue];
        for (int i = lo; i < hi; i++)
            for (int k = 0; k < 3; k++) { double v = _pts[3 * i + k]; if (v < mn[k]) mn[k] = v; if (v > mx[k]) mx[k] = v; }
        int axis = 0;
        for (int k = 1; k < 3; k++) if (mx[k] - mn[k] > mx[axis] - mn[axis]) axis = k;
        int mid = (lo + hi) / 2;
        Select(lo, hi - 1, mid, axis);
        _nodeAxis[node] = axis;
        _nodeSplit[node] = _pts[3 * mid + axis];
        _nodeLeft[node] = Build(lo, mid);
        _nodeRight[node] = Build(mid, hi);
        return node;
    }

    // Quickselect so that position k holds the k-th smallest along axis within [lo, hi].
    private void Select(int lo, int hi, int k, int axis)
    {
        while (hi > lo)
        {
            double pivot = _pts[3 * ((lo + hi) / 2) + axis];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (_pts[3 * i + axis] < pivot) i++;
                while (_pts[3 * j + axis] > pivot) j--;
                if (i <= j) { Swap(i, j); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return;
        }
    }

    private void Swap(int a, int b)
    {
        for (int k = 0; k < 3; k++) (_pts[3 * a + k], _pts[3 * b + k]) = (_pts[3 * b + k], _pts[3 * a + k]);
        (_index[a], _index[b]) = (_index[b], _index[a]);
    }

    /// <summary>Index (into the original array) and squared distance of the point nearest to (x, y, z).</summary>
    public (int Index, double Distance2) Nearest(double x, double y, double z)
    {
        int best = -1;
        double bestD2 = double.PositiveInfinity;
        Span<int> stack = stackalloc int[128];
        Span<double> stackD = stackalloc double[128];
        int sp = 0;
        stack[sp] = 0; stackD[sp++] = 0;
        while (sp > 0)
        {
            sp--;
            int node = stack[sp];
            if (stackD[sp] >= bestD2) continue;
            int axis = _nodeAxis[node];
            if (axis < 0)
            {
                for (int i = _nodeLo[node]; i < _nodeHi[node]; i++)
                {
                    double dx = _pts[3 * i] - x, dy = _pts[3 * i + 1] - y, dz = _pts[3 * i + 2] - z;
                    double d2 = dx * dx + dy * dy + dz * dz;
                    if (d2 < bestD2) { bestD2 = d2; best = i; }
                }
                continue;
            }
            double q = axis == 0 ? x : axis == 1 ? y : z;
            double diff = q - _nodeSplit[node];
            int near = diff < 0 ? _nodeLeft[node] : _nodeRight[node];
            int far = diff < 0 ? _nodeRight[node] : _nodeLeft[node];
            // Push far first so that near is explored first.
            stack[sp] = far; stackD[sp++] = diff * diff;
            stack[sp] = near; stackD[sp++] = 0;
        }
        return (_index[best], bestD2);
    }
}
