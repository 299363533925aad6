using System.Numerics;
using System.Runtime.InteropServices;

namespace MusicML.Audio;

/// <summary>Integer and float PCM to float32 conversion, interleaving and downmixing; the decoders' inner loops.</summary>
internal static class SampleConversion
{
    // Scales match libsndfile's normalised float reads (soundfile, hence librosa): full scale is 2^(bits-1), so
    // -32768 maps to exactly -1 and +32767 to 1 - 2^-15.
    private const float Scale8 = 1f / 128f;
    private const float Scale16 = 1f / 32768f;
    private const float Scale24 = 1f / 8388608f;
    private const float Scale32 = 1f / 2147483648f;

    /// <summary>Converts little-endian samples of <paramref name="encoding"/> to floats (same interleaving).</summary>
    public static void ToFloat(WavEncoding encoding, ReadOnlySpan<byte> source, Span<float> destination)
    {
        switch (encoding)
        {
            case WavEncoding.PcmU8:
                for (int i = 0; i < destination.Length; i++) destination[i] = (source[i] - 128) * Scale8;
                break;
            case WavEncoding.Pcm16:
                Int16ToFloat(MemoryMarshal.Cast<byte, short>(source)[..destination.Length], destination);
                break;
            case WavEncoding.Pcm24:
                for (int i = 0, b = 0; i < destination.Length; i++, b += 3)
                    destination[i] = (source[b] | (source[b + 1] << 8) | ((sbyte)source[b + 2] << 16)) * Scale24;
                break;
            case WavEncoding.Pcm32:
                {
                    var ints = MemoryMarshal.Cast<byte, int>(source);
                    for (int i = 0; i < destination.Length; i++) destination[i] = ints[i] * Scale32;
                    break;
                }
            case WavEncoding.Float32:
                MemoryMarshal.Cast<byte, float>(source)[..destination.Length].CopyTo(destination);
                break;
            case WavEncoding.Float64:
                {
                    var doubles = MemoryMarshal.Cast<byte, double>(source);
                    for (int i = 0; i < destination.Length; i++) destination[i] = (float)doubles[i];
                    break;
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null);
        }
    }

    /// <summary>int16 → float in [-1, 1) with SIMD: the 16-bit WAV fast path.</summary>
    public static void Int16ToFloat(ReadOnlySpan<short> source, Span<float> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && source.Length >= Vector<short>.Count)
        {
            var scale = new Vector<float>(Scale16);
            var shorts = MemoryMarshal.Cast<short, Vector<short>>(source);
            int step = Vector<short>.Count, half = Vector<int>.Count;
            for (int v = 0; v < shorts.Length; v++)
            {
                Vector.Widen(shorts[v], out Vector<int> low, out Vector<int> high);
                (Vector.ConvertToSingle(low) * scale).CopyTo(destination.Slice(i, half));
                (Vector.ConvertToSingle(high) * scale).CopyTo(destination.Slice(i + half, half));
                i += step;
            }
        }
        for (; i < source.Length; i++) destination[i] = source[i] * Scale16;
    }

    /// <summary>Splits interleaved frames into planar channels, writing at <paramref name="frameOffset"/>.</summary>
    public static void Deinterleave(ReadOnlySpan<float> interleaved, int channelCount, float[][] channels, int frameOffset)
    {
        if (channelCount == 1)
        {
            interleaved.CopyTo(channels[0].AsSpan(frameOffset));
            return;
        }
        int frames = interleaved.Length / channelCount;
        for (int c = 0; c < channelCount; c++)
        {
            var target = channels[c].AsSpan(frameOffset, frames);
            for (int f = 0, s = c; f < frames; f++, s += channelCount) target[f] = interleaved[s];
        }
    }

    /// <summary>Averages interleaved frames into one channel (librosa's <c>to_mono</c>).</summary>
    public static void DownmixInterleaved(ReadOnlySpan<float> interleaved, int channelCount, Span<float> mono)
    {
        int frames = interleaved.Length / channelCount;
        if (channelCount == 2)
        {
            for (int f = 0; f < frames; f++) mono[f] = (interleaved[2 * f] + interleaved[2 * f + 1]) * 0.5f;
            return;
        }
        float inverse = 1f / channelCount;
        for (int f = 0, s = 0; f < frames; f++)
        {
            float sum = 0;
            for (int c = 0; c < channelCount; c++) sum += interleaved[s++];
            mono[f] = sum * inverse;
        }
    }

    /// <summary>Mean of planar channels into <paramref name="mono"/>.</summary>
    public static void MeanOfChannels(float[][] channels, Span<float> mono)
    {
        mono.Clear();
        foreach (var channel in channels) Add(channel, mono);
        Multiply(mono, 1f / channels.Length);
    }

    /// <summary>Interleaves planar spans (frame count = <paramref name="frames"/>) into <paramref name="destination"/>.</summary>
    public static void Interleave(float[][] channels, int sourceOffset, int frames, Span<float> destination)
    {
        int count = channels.Length;
        for (int c = 0; c < count; c++)
        {
            var source = channels[c].AsSpan(sourceOffset, frames);
            for (int f = 0, d = c; f < frames; f++, d += count) destination[d] = source[f];
        }
    }

    /// <summary>SIMD dot product; the managed resampler's inner loop.</summary>
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int i = 0;
        float sum = 0;
        if (Vector.IsHardwareAccelerated && a.Length >= 2 * Vector<float>.Count)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b[..a.Length]);
            Vector<float> acc0 = Vector<float>.Zero, acc1 = Vector<float>.Zero;
            int v = 0;
            for (; v + 1 < va.Length; v += 2)
            {
                acc0 += va[v] * vb[v];
                acc1 += va[v + 1] * vb[v + 1];
            }
            if (v < va.Length) acc0 += va[v] * vb[v];
            sum = Vector.Sum(acc0 + acc1);
            i = va.Length * Vector<float>.Count;
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static void Add(ReadOnlySpan<float> source, Span<float> accumulator)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = MemoryMarshal.Cast<float, Vector<float>>(source);
            var a = MemoryMarshal.Cast<float, Vector<float>>(accumulator);
            for (int v = 0; v < s.Length; v++) a[v] += s[v];
            i = s.Length * Vector<float>.Count;
        }
        for (; i < source.Length; i++) accumulator[i] += source[i];
    }

    private static void Multiply(Span<float> values, float factor)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var v = MemoryMarshal.Cast<float, Vector<float>>(values);
            for (int k = 0; k < v.Length; k++) v[k] *= factor;
            i = v.Length * Vector<float>.Count;
        }
        for (; i < values.Length; i++) values[i] *= factor;
    }
}
