using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using MusicML.Core;

namespace MusicML.Audio;

/// <summary>Writes <see cref="AudioBuffer"/>s as canonical RIFF/WAVE files (fmt + data, no other chunks).</summary>
public static class WavWriter
{
    /// <summary>
    /// Writes <paramref name="buffer"/> to <paramref name="path"/>, replacing any existing file atomically
    /// (<see cref="AtomicFile"/>: never a truncated WAV, even on a full disk or a killed process).
    /// </summary>
    /// <param name="path">Destination file; its directory is created if missing.</param>
    /// <param name="buffer">The audio; integer formats clip samples to [-1, 1) and round to the nearest step.</param>
    /// <param name="format">Sample encoding: 16-bit PCM (default), 24-bit PCM or 32-bit float.</param>
    /// <exception cref="MusicMLException">The data would exceed the 4 GiB a RIFF file can hold, a NaN sample in an integer format, or the path cannot be written.</exception>
    public static void Write(string path, AudioBuffer buffer, WavSampleFormat format = WavSampleFormat.Pcm16)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(buffer);
        int bytesPerSample = format switch
        {
            WavSampleFormat.Pcm16 => 2,
            WavSampleFormat.Pcm24 => 3,
            WavSampleFormat.Float32 => 4,
            _ => throw new MusicMLException($"Unknown WAV sample format {format}."),
        };
        int channels = buffer.ChannelCount;
        int blockAlign = channels * bytesPerSample;
        long dataBytes = (long)buffer.FrameCount * blockAlign;
        if (dataBytes + 36 + (dataBytes & 1) > uint.MaxValue)
            throw new MusicMLException($"{path}: {dataBytes} bytes of samples exceed the 4 GiB a WAV file can hold.") { FilePath = path };

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        AtomicFile.Write(path, stream => WriteData(stream, path, buffer, format, bytesPerSample, dataBytes));
    }

    private static void WriteData(Stream stream, string path, AudioBuffer buffer, WavSampleFormat format, int bytesPerSample, long dataBytes)
    {
        int channels = buffer.ChannelCount;
        int blockAlign = channels * bytesPerSample;
        Span<byte> header = stackalloc byte[44];
        Encoding.ASCII.GetBytes("RIFF", header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(36 + dataBytes + (dataBytes & 1)));
        Encoding.ASCII.GetBytes("WAVEfmt ", header[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], (ushort)(format == WavSampleFormat.Float32 ? 3 : 1));
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)buffer.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)(buffer.SampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], (ushort)(bytesPerSample * 8));
        Encoding.ASCII.GetBytes("data", header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)dataBytes);
        stream.Write(header);

        const int blockFrames = 8192;
        var bytes = ArrayPool<byte>.Shared.Rent(blockFrames * blockAlign);
        try
        {
            for (int start = 0; start < buffer.FrameCount; start += blockFrames)
            {
                int frames = Math.Min(blockFrames, buffer.FrameCount - start);
                for (int c = 0; c < channels; c++)
                    Encode(path, buffer.Channel(c).AsSpan(start, frames), format, bytes.AsSpan(c * bytesPerSample), blockAlign);
                stream.Write(bytes, 0, frames * blockAlign);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
        if ((dataBytes & 1) == 1) stream.WriteByte(0);
    }

    private static void Encode(string path, ReadOnlySpan<float> samples, WavSampleFormat format, Span<byte> destination, int stride)
    {
        for (int f = 0, b = 0; f < samples.Length; f++, b += stride)
        {
            float s = samples[f];
            switch (format)
            {
                case WavSampleFormat.Float32:
                    BinaryPrimitives.WriteSingleLittleEndian(destination[b..], s);
                    break;
                case WavSampleFormat.Pcm16:
                    BinaryPrimitives.WriteInt16LittleEndian(destination[b..], (short)Quantize(path, s, 32768));
                    break;
                default:
                    int v = Quantize(path, s, 8388608);
                    destination[b] = (byte)v;
                    destination[b + 1] = (byte)(v >> 8);
                    destination[b + 2] = (byte)(v >> 16);
                    break;
            }
        }
    }

    private static int Quantize(string path, float sample, int fullScale)
    {
        if (float.IsNaN(sample)) throw new MusicMLException($"{path}: cannot write a NaN sample as integer PCM.") { FilePath = path };
        double scaled = Math.Round((double)sample * fullScale, MidpointRounding.ToEven);
        return (int)Math.Clamp(scaled, -fullScale, fullScale - 1);
    }
}
