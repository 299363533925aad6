using System.Buffers.Binary;
using System.Text;

namespace MusicML.Audio.Tests;

/// <summary>Builds WAV files byte by byte so each test states its exact layout.</summary>
internal static class WavFixtures
{
    public static readonly string Directory = CreateDirectory();

    public static string PathFor(string name) => System.IO.Path.Combine(Directory, name);

    /// <summary>A chunk: 4-char id, body, and a pad byte when the body is odd-sized (unless <paramref name="pad"/> is false).</summary>
    public static byte[] Chunk(string id, byte[] body, bool pad = true)
    {
        var result = new List<byte>(Encoding.ASCII.GetBytes(id));
        var size = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)body.Length);
        result.AddRange(size);
        result.AddRange(body);
        if (pad && body.Length % 2 == 1) result.Add(0);
        return result.ToArray();
    }

    /// <summary>A 16-byte PCM (tag 1) or float (tag 3) fmt body.</summary>
    public static byte[] Fmt(ushort tag, int channels, int rate, int bits)
    {
        var b = new byte[16];
        int blockAlign = channels * bits / 8;
        BinaryPrimitives.WriteUInt16LittleEndian(b, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)(rate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12), (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(14), (ushort)bits);
        return b;
    }

    /// <summary>A 40-byte WAVE_FORMAT_EXTENSIBLE fmt body whose sub-format GUID carries <paramref name="subTag"/>.</summary>
    public static byte[] FmtExtensible(ushort subTag, int channels, int rate, int bits, int validBits, uint channelMask)
    {
        var b = new byte[40];
        Fmt(0xFFFE, channels, rate, bits).CopyTo(b, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(16), 22);               // cbSize
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(18), (ushort)validBits);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(20), channelMask);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(24), subTag);           // GUID {0000xxxx-0000-0010-8000-00AA00389B71}
        byte[] tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        tail.CopyTo(b, 26);
        return b;
    }

    /// <summary>RIFF header + WAVE + the given chunks, written to a fresh file; returns its path.</summary>
    public static string Write(string name, params byte[][] chunks)
    {
        var body = chunks.SelectMany(c => c).ToArray();
        var file = new byte[12 + body.Length];
        Encoding.ASCII.GetBytes("RIFF").CopyTo(file, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(4 + body.Length));
        Encoding.ASCII.GetBytes("WAVE").CopyTo(file, 8);
        body.CopyTo(file, 12);
        var path = PathFor(name);
        File.WriteAllBytes(path, file);
        return path;
    }

    public static byte[] Int16(params short[] v)
    {
        var b = new byte[v.Length * 2];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(2 * i), v[i]);
        return b;
    }

    public static byte[] Int24(params int[] v)
    {
        var b = new byte[v.Length * 3];
        for (int i = 0; i < v.Length; i++)
        {
            b[3 * i] = (byte)v[i];
            b[3 * i + 1] = (byte)(v[i] >> 8);
            b[3 * i + 2] = (byte)(v[i] >> 16);
        }
        return b;
    }

    public static byte[] Int32(params int[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(4 * i), v[i]);
        return b;
    }

    public static byte[] Float32(params float[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), v[i]);
        return b;
    }

    public static byte[] Float64(params double[] v)
    {
        var b = new byte[v.Length * 8];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(8 * i), v[i]);
        return b;
    }

    /// <summary>A LIST/INFO chunk with an odd-length title, so it also exercises the pad byte.</summary>
    public static byte[] ListInfo() => Chunk("LIST", [.. "INFOINAM"u8, 5, 0, 0, 0, .. "tone\0"u8, 0]);

    private static string CreateDirectory()
    {
        var dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "musicml-audio-tests-" + Environment.ProcessId);
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }
}
