using System.Buffers;
using MusicML.Core;

namespace MusicML.Audio;

/// <summary>
/// Loads audio files the way <c>librosa.load</c> does: float32 samples in [-1, 1], optionally a window given by
/// offset and duration in seconds, mixed to mono by averaging, resampled to 22050 Hz by default.
/// </summary>
/// <remarks>
/// WAV (PCM 8/16/24/32-bit, float 32/64, WAVE_FORMAT_EXTENSIBLE) is decoded by managed code and needs no native
/// library; everything else (FLAC, Ogg Vorbis, Opus, MP3, AIFF, compressed WAV) goes through libsndfile (Debian
/// package <c>libsndfile1</c>). The format is recognised from the file's first bytes, not its extension.
/// </remarks>
public static class AudioFile
{
    /// <summary>Decodes <paramref name="path"/>.</summary>
    /// <param name="path">The audio file.</param>
    /// <param name="sampleRate">Target rate in Hz; null keeps the file's native rate (librosa's <c>sr=None</c>).</param>
    /// <param name="mono">Average the channels into one (librosa's default) or keep them.</param>
    /// <param name="offset">Start reading this many seconds into the file (rounded to the nearest frame).</param>
    /// <param name="duration">Read at most this many seconds; null reads to the end.</param>
    /// <param name="quality">Resampling quality when <paramref name="sampleRate"/> differs from the native rate.</param>
    /// <exception cref="AudioFileNotFoundException">The file does not exist or cannot be opened.</exception>
    /// <exception cref="AudioFormatException">The file is empty, truncated, not audio, or holds NaN/infinite samples.</exception>
    /// <exception cref="NativeLibraryMissingException">A non-WAV file and libsndfile is not installed.</exception>
    /// <exception cref="MusicMLException">An invalid parameter, or an offset at or past the end of the audio.</exception>
    public static AudioBuffer Load(string path, int? sampleRate = 22050, bool mono = true, double offset = 0,
        double? duration = null, ResampleQuality quality = ResampleQuality.High)
    {
        ValidateWindow(sampleRate, offset, duration);
        using var decoder = AudioDecoder.Open(path);
        var info = decoder.Info;
        var (start, windowFrames) = Window(info, offset, duration);
        if (windowFrames > Array.MaxLength)
            throw new MusicMLException($"{path}: {windowFrames} frames do not fit in one array; read it in blocks with AudioStreamReader.") { FilePath = path };
        int frames = (int)windowFrames;
        if (sampleRate is { } rate && rate != info.SampleRate && (double)frames * rate / info.SampleRate > Array.MaxLength)
            throw new MusicMLException(
                $"{path}: {frames} frames at {info.SampleRate} Hz become more than {Array.MaxLength} samples at {rate} Hz; read it in blocks with AudioStreamReader.")
            { FilePath = path };
        decoder.Seek(start);

        int channels = info.ChannelCount;
        int outputChannels = mono ? 1 : channels;
        var planar = new float[outputChannels][];
        // Every element is overwritten by the decoder (or cut off below), so zeroing 10+ MB first would be wasted work.
        for (int c = 0; c < outputChannels; c++) planar[c] = GC.AllocateUninitializedArray<float>(frames);
        int done = ReadAll(decoder, planar, frames, mono);
        if (done < frames)
        {
            // Compressed formats may report an estimated length; keep what actually decoded.
            if (done == 0) throw AudioFormatException.NoSamples(path);
            for (int c = 0; c < outputChannels; c++) Array.Resize(ref planar[c], done);
        }
        if (decoder.MayHoldNonFinite) CheckFinite(path, planar, start);

        int nativeRate = info.SampleRate;
        if (sampleRate is { } target && target != nativeRate)
        {
            for (int c = 0; c < outputChannels; c++) planar[c] = Resampler.Resample(planar[c], nativeRate, target, quality);
            return new AudioBuffer(planar, target);
        }
        return new AudioBuffer(planar, nativeRate);
    }

    /// <summary>Reads the header of <paramref name="path"/>: container, encoding, rate, channels and length.</summary>
    /// <exception cref="AudioFileNotFoundException">The file does not exist or cannot be opened.</exception>
    /// <exception cref="AudioFormatException">The file is empty, truncated or not audio.</exception>
    /// <exception cref="NativeLibraryMissingException">A non-WAV file and libsndfile is not installed.</exception>
    public static AudioInfo GetInfo(string path)
    {
        using var decoder = AudioDecoder.Open(path);
        return decoder.Info;
    }

    internal static void ValidateWindow(int? sampleRate, double offset, double? duration)
    {
        if (sampleRate is <= 0) throw new MusicMLException($"sampleRate must be a positive number of Hz or null (native rate); got {sampleRate}.");
        if (!double.IsFinite(offset) || offset < 0) throw new MusicMLException($"offset must be a finite number of seconds >= 0; got {offset}.");
        if (duration is { } d && (!double.IsFinite(d) || d <= 0))
            throw new MusicMLException($"duration must be a positive finite number of seconds or null (to the end); got {d}.");
    }

    /// <summary>First frame and frame count for librosa's offset/duration: both rounded to the nearest frame.</summary>
    internal static (long Start, long Frames) Window(AudioInfo info, double offset, double? duration)
    {
        if (info.FrameCount <= 0) throw new AudioFormatException(info.Path, "contains no audio samples (0 frames).");
        long start = (long)Math.Round(offset * info.SampleRate, MidpointRounding.ToEven);
        if (start >= info.FrameCount)
            throw new MusicMLException($"{info.Path}: offset {offset} s is at or past the end of the audio ({info.Duration:F3} s).") { FilePath = info.Path };
        long frames = info.FrameCount - start;
        if (duration is { } d) frames = Math.Min(frames, Math.Max(1, (long)Math.Round(d * info.SampleRate, MidpointRounding.ToEven)));
        return (start, frames);
    }

    private static int ReadAll(IAudioDecoder decoder, float[][] planar, int frames, bool mono)
    {
        int channels = decoder.Info.ChannelCount;
        if (channels == 1)
        {
            int total = 0;
            while (total < frames)
            {
                int got = decoder.Read(planar[0].AsSpan(total, frames - total));
                if (got == 0) break;
                total += got;
            }
            return total;
        }
        const int blockFrames = 8192;
        var scratch = ArrayPool<float>.Shared.Rent(blockFrames * channels);
        try
        {
            int total = 0;
            while (total < frames)
            {
                int want = Math.Min(blockFrames, frames - total);
                var block = scratch.AsSpan(0, want * channels);
                int got = decoder.Read(block);
                if (got == 0) break;
                block = block[..(got * channels)];
                if (mono) SampleConversion.DownmixInterleaved(block, channels, planar[0].AsSpan(total, got));
                else SampleConversion.Deinterleave(block, channels, planar, total);
                total += got;
            }
            return total;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>What a float file's samples must be, as decode errors state it.</summary>
    internal static readonly string SampleRule = $"audio must hold finite values within ±{InputGuard.MaxAbsSample} (float audio is expected in [-1, 1]).";

    private static void CheckFinite(string path, float[][] planar, long start)
    {
        foreach (var channel in planar)
        {
            int bad = InputGuard.FirstInvalidSample(channel);
            if (bad >= 0)
                throw new AudioFormatException(path, $"sample at frame {start + bad} is {channel[bad]}; {SampleRule}");
        }
    }
}
