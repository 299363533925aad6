using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MusicML.Cli.Reports;

/// <summary>
/// Writes 8-bit RGB images as PNG (W3C, "Portable Network Graphics (PNG) Specification", 2nd ed., 2003): signature,
/// IHDR, one zlib-compressed IDAT with filter type 0 on every scanline, IEND. Enough for the report's pictures
/// without an imaging library.
/// </summary>
internal static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Encodes <paramref name="rgb"/> (row-major, 3 bytes per pixel, top row first) as a PNG file.</summary>
    /// <exception cref="ArgumentException">The sizes are not positive or do not match the pixel data.</exception>
    public static byte[] Encode(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"A PNG needs a positive size; got {width} x {height}.");
        if (rgb.Length != checked(width * height * 3))
            throw new ArgumentException($"{width} x {height} RGB pixels need {width * height * 3} bytes; got {rgb.Length}.");
        using var file = new MemoryStream();
        file.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;  // bit depth
        header[9] = 2;  // colour type: truecolour
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering (each row says its filter)
        header[12] = 0; // no interlace
        WriteChunk(file, "IHDR", header);

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                int stride = width * 3;
                for (int row = 0; row < height; row++)
                {
                    zlib.WriteByte(0); // filter type None: smooth spectrograms compress well enough without prediction
                    zlib.Write(rgb.Slice(row * stride, stride));
                }
            }
            WriteChunk(file, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }
        WriteChunk(file, "IEND", []);
        return file.ToArray();
    }

    /// <summary>The CRC-32 of PNG chunks (<see cref="Core.Crc32"/>).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0) => Core.Crc32.Compute(data, crc);

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        stream.Write(typeBytes);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(data, Crc32(typeBytes)));
        stream.Write(word);
    }
}
