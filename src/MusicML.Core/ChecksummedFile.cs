using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace MusicML.Core;

/// <summary>
/// The one binary container of MusicML's own data files (embedding stores, recommender models):
/// <code>
/// magic                           8 ASCII bytes naming the kind of file, e.g. "MMLEMB01"
/// int32 H, H bytes of UTF-8 JSON  the header: format id and everything small
/// body                            the kind's records (length-prefixed UTF-8 strings, float32 arrays…)
/// footer (8 bytes)                uint32 CRC-32 of every byte before the footer, "MEND"
/// </code>
/// All numbers little-endian. The end marker comes last, so a truncated file is refused for its missing marker and
/// a damaged one for its CRC; files are written through <see cref="AtomicFile"/> (temporary name, then rename), so a
/// killed writer never leaves a file that loads.
/// </summary>
public static class ChecksummedFile
{
    private static ReadOnlySpan<byte> EndMarker => "MEND"u8;
    private const int FooterBytes = 8;

    /// <summary>Longest string a body may hold, in UTF-8 bytes.</summary>
    public const int MaxStringBytes = 1 << 20;

    /// <summary>Writes a file atomically: <paramref name="magic"/>, the header, what <paramref name="body"/> writes, the footer.</summary>
    /// <exception cref="MusicMLException">The file cannot be written; nothing at the path changed.</exception>
    public static void Write(string path, string magic, string headerJson, Action<Writer> body)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (magic.Length != 8) throw new ArgumentException("the magic is 8 ASCII characters", nameof(magic));
        AtomicFile.Write(path, stream =>
        {
            var writer = new Writer(new BufferedStream(stream, 1 << 16));
            writer.Write(Encoding.ASCII.GetBytes(magic));
            writer.WriteString(headerJson);
            body(writer);
            Span<byte> footer = stackalloc byte[FooterBytes];
            BinaryPrimitives.WriteUInt32LittleEndian(footer, writer.Crc);
            EndMarker.CopyTo(footer[4..]);
            writer.Stream.Write(footer);
            writer.Stream.Flush();
        });
    }

    /// <summary>
    /// Reads a file written by <see cref="Write"/>: checks the magic, the end marker and the CRC, and returns the
    /// header JSON and a reader positioned at the body.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="magic">The expected magic.</param>
    /// <param name="what">What the file is, for messages (e.g. "embedding store").</param>
    /// <exception cref="MusicMLException">Missing, unreadable, another kind of file, truncated or damaged; the message names the file.</exception>
    public static (string Header, Reader Body) Read(string path, string magic, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new MusicMLException($"{path}: {what} not found") { FilePath = path };
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MusicMLException($"{path}: {e.Message}", e) { FilePath = path };
        }
        var expectedMagic = Encoding.ASCII.GetBytes(magic);
        if (bytes.Length < expectedMagic.Length || !bytes.AsSpan(0, expectedMagic.Length).SequenceEqual(expectedMagic))
            throw new MusicMLException($"{path}: not a MusicML {what} (no {magic} magic)") { FilePath = path };
        if (bytes.Length < expectedMagic.Length + 4 + FooterBytes || !bytes.AsSpan(bytes.Length - 4).SequenceEqual(EndMarker))
            throw new MusicMLException($"{path}: {what} is truncated (no end marker): it was not written completely; write it again") { FilePath = path };
        int bodyEnd = bytes.Length - FooterBytes;
        if (Crc32.Compute(bytes.AsSpan(0, bodyEnd)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bodyEnd)))
            throw new MusicMLException($"{path}: {what} is damaged (CRC-32 mismatch)") { FilePath = path };
        var reader = new Reader(new ReadOnlyMemory<byte>(bytes, 0, bodyEnd), expectedMagic.Length, path, what);
        return (reader.ReadString(), reader);
    }

    /// <summary>Writes body fields while keeping the CRC-32 of everything written.</summary>
    public sealed class Writer
    {
        internal Writer(Stream stream) => Stream = stream;

        internal Stream Stream { get; }

        /// <summary>CRC-32 of every byte written so far.</summary>
        public uint Crc { get; private set; }

        /// <summary>Raw bytes.</summary>
        public void Write(ReadOnlySpan<byte> bytes)
        {
            Crc = Crc32.Compute(bytes, Crc);
            Stream.Write(bytes);
        }

        /// <summary>A little-endian int32.</summary>
        public void WriteInt32(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, value);
            Write(b);
        }

        /// <summary>An int32 byte count, then the UTF-8 bytes.</summary>
        /// <exception cref="MusicMLException">The string is longer than <see cref="MaxStringBytes"/>.</exception>
        public void WriteString(string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            if (bytes.Length > MaxStringBytes) throw new MusicMLException($"a string of {bytes.Length} bytes is longer than {MaxStringBytes}");
            WriteInt32(bytes.Length);
            Write(bytes);
        }

        /// <summary>float32 values, little-endian, without a count.</summary>
        public void WriteFloats(ReadOnlySpan<float> values) => Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Reads body fields, refusing any read past the body's end with an error naming the file.</summary>
    public sealed class Reader
    {
        private readonly ReadOnlyMemory<byte> _body;
        private readonly string _path, _what;
        private int _position;

        internal Reader(ReadOnlyMemory<byte> body, int position, string path, string what) => (_body, _position, _path, _what) = (body, position, path, what);

        /// <summary>True when every byte of the body has been read.</summary>
        public bool AtEnd => _position == _body.Length;

        /// <summary>Bytes left in the body.</summary>
        public int Remaining => _body.Length - _position;

        /// <summary>An error naming the file, for a body whose content is inconsistent.</summary>
        public MusicMLException Damaged(string why) => new($"{_path}: {_what} is damaged ({why})") { FilePath = _path };

        /// <summary>The next <paramref name="count"/> raw bytes.</summary>
        public ReadOnlySpan<byte> Read(int count)
        {
            if (count < 0 || count > Remaining) throw Damaged("a record runs past the end");
            var slice = _body.Span.Slice(_position, count);
            _position += count;
            return slice;
        }

        /// <summary>A little-endian int32.</summary>
        public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Read(4));

        /// <summary>A string written by <see cref="Writer.WriteString"/>.</summary>
        public string ReadString()
        {
            int length = ReadInt32();
            if (length < 0 || length > MaxStringBytes) throw Damaged($"a string of {length} bytes");
            return Encoding.UTF8.GetString(Read(length));
        }

        /// <summary><paramref name="destination"/>.Length float32 values.</summary>
        public void ReadFloats(Span<float> destination) =>
            MemoryMarshal.Cast<byte, float>(Read(checked(destination.Length * sizeof(float)))).CopyTo(destination);
    }
}
