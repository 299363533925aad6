using System.Buffers.Binary;

namespace MusicML.Audio;

/// <summary>Sample encodings the managed WAV reader decodes.</summary>
internal enum WavEncoding { PcmU8, Pcm16, Pcm24, Pcm32, Float32, Float64 }

/// <summary>
/// The layout of a RIFF/WAVE file: where the samples are and how they are encoded. Chunks may come in any order
/// (LIST/fact before <c>fmt </c>, <c>fmt </c> after <c>data</c>), odd-sized chunks carry a pad byte, and
/// WAVE_FORMAT_EXTENSIBLE is read through its sub-format GUID. Layout per IBM/Microsoft, "Multimedia Programming
/// Interface and Data Specifications 1.0" (1991) and Microsoft, "Multiple Channel Audio Data and WAVE Files" (2001).
/// </summary>
internal sealed record WavHeader(
    WavEncoding Encoding, bool Extensible, int ChannelCount, int SampleRate, int BytesPerSample, long DataOffset, long FrameCount,
    long DeclaredFrameCount)
{
    /// <summary>True when the data chunk claims more frames than the file holds (a cut-off download or recording).</summary>
    public bool IsTruncated => FrameCount < DeclaredFrameCount;

    private const ushort FormatPcm = 1, FormatFloat = 3, FormatExtensible = 0xFFFE;

    // The tail shared by every KSDATAFORMAT_SUBTYPE GUID (00000000-0000-0010-8000-00AA00389B71 after the tag).
    private static ReadOnlySpan<byte> GuidTail => [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    /// <summary>Bytes per frame (all channels).</summary>
    public int BlockAlign => ChannelCount * BytesPerSample;

    /// <summary>soundfile's container name.</summary>
    public string FormatName => Extensible ? "WAVEX" : "WAV";

    /// <summary>soundfile's subtype name.</summary>
    public string SubtypeName => Encoding switch
    {
        WavEncoding.PcmU8 => "PCM_U8",
        WavEncoding.Pcm16 => "PCM_16",
        WavEncoding.Pcm24 => "PCM_24",
        WavEncoding.Pcm32 => "PCM_32",
        WavEncoding.Float32 => "FLOAT",
        _ => "DOUBLE",
    };

    /// <summary>True for the float encodings, whose samples may hold NaN or infinity.</summary>
    public bool IsFloat => Encoding is WavEncoding.Float32 or WavEncoding.Float64;

    /// <summary>True when the first bytes are a RIFF/WAVE (or RF64) header.</summary>
    public static bool LooksLikeWav(ReadOnlySpan<byte> head) =>
        head.Length >= 12 && (head[..4].SequenceEqual("RIFF"u8) || head[..4].SequenceEqual("RF64"u8)) && head[8..12].SequenceEqual("WAVE"u8);

    /// <summary>Parses the chunk structure of <paramref name="stream"/>; <paramref name="path"/> names the file in errors.</summary>
    /// <exception cref="AudioFormatException">
    /// Not a WAV file, a missing or malformed chunk, or a sample rate or channel count outside <see cref="AudioLimits"/>.
    /// A data chunk cut short is not an error: <see cref="FrameCount"/> counts the whole frames present.
    /// </exception>
    /// <exception cref="UnsupportedWavException">A valid WAV the managed reader does not decode (compressed, RF64).</exception>
    public static WavHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        Span<byte> head = stackalloc byte[12];
        stream.Position = 0;
        if (stream.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12 || !LooksLikeWav(head))
            throw new AudioFormatException(path, "not a RIFF/WAVE file.");
        if (head[..4].SequenceEqual("RF64"u8)) throw new UnsupportedWavException(path, "RF64 WAV files are decoded by libsndfile.");

        Span<byte> chunkHeader = stackalloc byte[8];
        Span<byte> fmt = stackalloc byte[40];
        int fmtLength = -1;
        long dataOffset = -1, dataLength = 0, declaredDataLength = 0;
        long position = 12;
        while (position + 8 <= fileLength)
        {
            stream.Position = position;
            stream.ReadExactly(chunkHeader);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);
            long body = position + 8;
            var id = chunkHeader[..4];
            if (id.SequenceEqual("fmt "u8))
            {
                if (body + size > fileLength) throw new AudioFormatException(path, "truncated: the fmt chunk runs past the end of the file.");
                fmtLength = (int)Math.Min(size, (uint)fmt.Length);
                stream.ReadExactly(fmt[..fmtLength]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                // Writers that cannot seek back (ffmpeg to a pipe, crashed recorders) leave 0xFFFFFFFF: "to the end".
                if (size == uint.MaxValue) size = (uint)Math.Min(fileLength - body, uint.MaxValue - 1);
                // A data chunk running past the end is a cut-off file: what is there decodes, the rest is reported.
                dataOffset = body;
                declaredDataLength = size;
                dataLength = Math.Min(size, fileLength - body);
            }
            if (fmtLength >= 0 && dataOffset >= 0) break;
            // RIFF chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
            position = body + size + (size & 1);
        }
        if (fmtLength < 0) throw new AudioFormatException(path, "not a valid WAV file: it has no fmt chunk.");
        if (dataOffset < 0) throw new AudioFormatException(path, "not a valid WAV file: it has no data chunk.");
        if (fmtLength < 16) throw new AudioFormatException(path, $"malformed fmt chunk ({fmtLength} bytes, at least 16 expected).");

        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        uint sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        int blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        bool extensible = tag == FormatExtensible;
        if (extensible)
        {
            if (fmtLength < 40) throw new AudioFormatException(path, $"malformed WAVE_FORMAT_EXTENSIBLE fmt chunk ({fmtLength} bytes, 40 expected).");
            if (!fmt[26..40].SequenceEqual(GuidTail))
                throw new UnsupportedWavException(path, "WAVE_FORMAT_EXTENSIBLE with a non-standard sub-format GUID.");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }
        AudioLimits.CheckHeader(path, sampleRate, channels);

        WavEncoding encoding = (tag, bits) switch
        {
            (FormatPcm, 8) => WavEncoding.PcmU8,
            (FormatPcm, 16) => WavEncoding.Pcm16,
            (FormatPcm, 24) => WavEncoding.Pcm24,
            (FormatPcm, 32) => WavEncoding.Pcm32,
            (FormatFloat, 32) => WavEncoding.Float32,
            (FormatFloat, 64) => WavEncoding.Float64,
            (FormatPcm, _) or (FormatFloat, _) => throw new UnsupportedWavException(path, $"{bits}-bit samples (format tag {tag}) are not decoded by the managed reader."),
            _ => throw new UnsupportedWavException(path, $"WAV format tag 0x{tag:X4} (compressed) is not decoded by the managed reader."),
        };
        int bytesPerSample = bits / 8;
        if (blockAlign != channels * bytesPerSample)
            throw new AudioFormatException(path, $"inconsistent fmt chunk: block align {blockAlign} for {channels} channel(s) of {bits}-bit samples.");
        return new WavHeader(encoding, extensible, channels, (int)sampleRate, bytesPerSample, dataOffset, dataLength / blockAlign,
            declaredDataLength / blockAlign);
    }
}
