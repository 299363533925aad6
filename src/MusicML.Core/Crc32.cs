namespace MusicML.Core;

/// <summary>
/// The CRC-32 of zip archives and PNG chunks (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320; PNG
/// specification annex D), written once for the PNG encoder and the <c>.pth</c> reader.
/// </summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>
    /// The CRC-32 of <paramref name="data"/>; pass the CRC of what came before as <paramref name="crc"/> to continue
    /// it over several pieces (<c>Compute(b, Compute(a))</c> is the CRC of a followed by b).
    /// </summary>
    public static uint Compute(ReadOnlySpan<byte> data, uint crc = 0)
    {
        crc ^= 0xFFFFFFFFu;
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
