namespace PoseKD.Data.Imaging;

/// <summary>The five PNG scanline filters (RFC 2083 §6): reconstruction and the encoder's forward filters.</summary>
internal static class PngFilters
{
    /// <summary>Paeth predictor: the one of a (left), b (up), c (up-left) closest to a + b − c.</summary>
    public static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc) return a;
        return pb <= pc ? b : c;
    }

    /// <summary>
    /// Undoes filter <paramref name="type"/> in place on <paramref name="row"/> given the already reconstructed
    /// <paramref name="prior"/> row (empty for the first row of a pass = all zeros); bpp = bytes per complete pixel (≥ 1).
    /// Returns false for an unknown filter type.
    /// </summary>
    public static bool Unfilter(int type, Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        int n = row.Length;
        bool hasPrior = prior.Length == n;
        switch (type)
        {
            case 0: return true;
            case 1:
                for (int i = bpp; i < n; i++) row[i] = (byte)(row[i] + row[i - bpp]);
                return true;
            case 2:
                if (hasPrior) for (int i = 0; i < n; i++) row[i] = (byte)(row[i] + prior[i]);
                return true;
            case 3:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = hasPrior ? prior[i] : 0;
                    row[i] = (byte)(row[i] + ((a + b) >> 1));
                }
                return true;
            case 4:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = hasPrior ? prior[i] : 0, c = hasPrior && i >= bpp ? prior[i - bpp] : 0;
                    row[i] = (byte)(row[i] + Paeth(a, b, c));
                }
                return true;
            default: return false;
        }
    }

    /// <summary>Applies filter <paramref name="type"/> to <paramref name="row"/> (prior = previous raw row or empty) into <paramref name="dst"/>.</summary>
    public static void Filter(int type, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> dst)
    {
        int n = row.Length;
        bool hasPrior = prior.Length == n;
        for (int i = 0; i < n; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = hasPrior ? prior[i] : 0, c = hasPrior && i >= bpp ? prior[i - bpp] : 0;
            int pred = type switch { 1 => a, 2 => b, 3 => (a + b) >> 1, 4 => Paeth(a, b, c), _ => 0 };
            dst[i] = (byte)(row[i] - pred);
        }
    }
}
