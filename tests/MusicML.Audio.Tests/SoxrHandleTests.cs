namespace MusicML.Audio.Tests;

/// <summary>
/// libsoxr's resampler lives in a SafeHandle: a disposed resampler refuses work with ObjectDisposedException instead of
/// passing a freed soxr_t to libsoxr, and disposing twice is harmless.
/// </summary>
public class SoxrHandleTests
{
    [SkippableFact]
    public void ADisposedResamplerRefusesWorkAndDisposesOnce()
    {
        Skip.IfNot(Soxr.Dependency.IsAvailable, "libsoxr is not installed (apt-get install libsoxr0); ResamplerTests asserts the missing-library error");
        var resampler = StreamingResampler.Create(44100, 22050, ResampleQuality.High, ResamplerEngine.Soxr);
        var output = new float[resampler.MaxOutputLength(4410)];
        var input = new float[4410];
        for (int i = 0; i < input.Length; i++) input[i] = MathF.Sin(2 * MathF.PI * 440 * i / 44100);
        // libsoxr holds back its filter delay, so one block yields at most half as many samples as it was fed.
        Assert.InRange(resampler.Process(input, output), 0, 2205);
        resampler.Dispose();
        Assert.Throws<ObjectDisposedException>(() => resampler.Process(input, output));
        Assert.Throws<ObjectDisposedException>(() => resampler.Flush(output));
        resampler.Dispose();
    }
}
