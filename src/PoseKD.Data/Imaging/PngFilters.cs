using System.Runtime.Intrinsics;

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
        if (prior.Length != n) prior = default;
        bool hasPrior = !prior.IsEmpty;
        switch (type)
        {
            case 0:
                row.CopyTo(dst);
                return;
            case 1:
                row[..Math.Min(bpp, n)].CopyTo(dst);
                if (n > bpp) Subtract(row[bpp..], row[..(n - bpp)], dst[bpp..]);
                return;
            case 2:
                if (hasPrior) Subtract(row, prior, dst); else row.CopyTo(dst);
                return;
            case 3:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = hasPrior ? prior[i] : 0;
                    dst[i] = (byte)(row[i] - ((a + b) >> 1));
                }
                return;
            default:
                if (!hasPrior)
                {
                    // Paeth with no prior row is Sub
                    Filter(1, row, prior, bpp, dst);
                    return;
                }
                for (int i = 0; i < bpp && i < n; i++) dst[i] = (byte)(row[i] - prior[i]);
                for (int i = bpp; i < n; i++)
                {
                    int a = row[i - bpp], b = prior[i], c = prior[i - bpp];
                    int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - 2 * c);
                    int pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    dst[i] = (byte)(row[i] - pred);
                }
                return;
        }
    }

    /// <summary>dst = a − b bytewise (mod 256), vectorised.</summary>
    private static void Subtract(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> dst) =>
        System.Numerics.Tensors.TensorPrimitives.Subtract(a, b, dst);

    /// <summary>Sum over bytes of |(sbyte)b| — the encoder's filter-selection cost.</summary>
    public static long SumAbsSigned(ReadOnlySpan<byte> data)
    {
        long sum = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<ulong>.Zero;
            for (; i + 32 <= data.Length; i += 32)
            {
                var v = Vector256.Create(data.Slice(i, 32)).AsSByte();
                var abs = Vector256.Abs(v).AsByte(); // |-128| wraps to 128, which is right
                acc += System.Runtime.Intrinsics.X86.Avx2.IsSupported
                    ? System.Runtime.Intrinsics.X86.Avx2.SumAbsoluteDifferences(abs, Vector256<byte>.Zero).AsUInt64()
                    : WidenSum(abs);
            }
            sum = (long)Vector256.Sum(acc);
        }
        for (; i < data.Length; i++) { int b = data[i]; sum += b < 128 ? b : 256 - b; }
        return sum;
    }

    private static Vector256<ulong> WidenSum(Vector256<byte> v)
    {
        ulong s = 0;
        for (int k = 0; k < 32; k++) s += v.GetElement(k);
        return Vector256.Create(s, 0UL, 0UL, 0UL);
    }
}
