using System.Buffers.Binary;
using System.Numerics;

namespace PoseKD.Training.Events;

/// <summary>
/// TFRecord framing, the container of TensorBoard event files: per record a little-endian uint64 length, the
/// masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data. Masking (TensorFlow's
/// <c>crc32c::Mask</c>): ((c &gt;&gt; 15) | (c &lt;&lt; 17)) + 0xa282ead8.
/// </summary>
public static class TfRecord
{
    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of <paramref name="data"/>.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    /// <summary>TensorFlow's masked CRC of <paramref name="data"/>.</summary>
    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint c = Crc32C(data);
        return unchecked(((c >> 15) | (c << 17)) + 0xa282ead8u);
    }

    /// <summary>Writes one record holding <paramref name="data"/>.</summary>
    public static void Write(Stream output, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        output.Write(header);
        output.Write(data);
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        output.Write(footer);
    }
}
