using MusicML.Core;
using MusicML.Dsp;
using MusicML.TestSupport;

namespace MusicML.Dsp.Tests;

public class MelTests
{
    public static TheoryData<string> Inputs() => Reference.InputData();

    [Fact]
    public void SlaneyMelFilterbankMatchesLibrosa()
    {
        var expected = Reference.Filter("mel_fb_slaney_22050_2048_128");
        var ours = Filters.Mel(22050, 2048);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        // Same float64 formula rounded to float32: agreement to float32 rounding (~1e-7).
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, 1e-6, "mel filterbank (Slaney)");
    }

    [Fact]
    public void HtkUnnormalisedMelFilterbankMatchesLibrosa()
    {
        var expected = Reference.Filter("mel_fb_htk_nonorm_16000_512_96");
        var ours = Filters.Mel(16000, 512, 96, fMin: 0, fMax: 8000, htk: true, norm: MelNorm.None);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, 1e-6, "mel filterbank (HTK, no norm)");
    }

    [Fact]
    public void ChromaFilterbankMatchesLibrosa()
    {
        var expected = Reference.Filter("chroma_fb_22050_2048");
        var ours = Filters.Chroma(22050, 2048);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, 1e-6, "chroma filterbank");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void DecibelConversionsMatchLibrosa(string input)
    {
        var stft = Spectral.Stft(Reference.Signal22050(input));
        // power_to_db(|S|², ref=np.max) and amplitude_to_db(|S|, ref=1.0, top_db=80): 1e-4 of the dB range (max |ref| ≈ 80–100 dB).
        var powerDb = Spectral.PowerToDb(stft.Power(), DbReference.Max);
        ArrayComparison.AssertRelativeMaxError(Reference.Load(input, "power_db").ToFloat32(), powerDb.Data, 1e-4, $"{input} power_db");
        var amplitudeDb = Spectral.AmplitudeToDb(stft.Magnitude(), 1.0, topDb: 80.0);
        ArrayComparison.AssertRelativeMaxError(Reference.Load(input, "amplitude_db").ToFloat32(), amplitudeDb.Data, 1e-4, $"{input} amplitude_db");
    }

    [Fact]
    public void DecibelRoundTrip()
    {
        var power = new FloatMatrix(1, 3, [1e-3f, 1f, 10f]);
        var db = Spectral.PowerToDb(power, topDb: null);
        Assert.Equal([-30f, 0f, 10f], db.Data.Select(v => MathF.Round(v, 4)).ToArray());
        var back = Spectral.DbToPower(db);
        for (int i = 0; i < 3; i++) Assert.Equal(power.Data[i], back.Data[i], 1e-4f * power.Data[i]);
        Assert.Equal(2f, Spectral.DbToAmplitude(Spectral.AmplitudeToDb(new FloatMatrix(1, 1, [2f]))).Data[0], 1e-5f);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void MelSpectrogramMatchesLibrosa(string input)
    {
        var expected = Reference.Load(input, "mel");
        var ours = Features.MelSpectrogram(Reference.Signal22050(input));
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, 1e-4, $"{input} mel");
        // The S= overload on a precomputed power spectrogram gives the same answer.
        var fromPower = Features.MelSpectrogram(Spectral.Stft(Reference.Signal22050(input)).Power());
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), fromPower.Data, 1e-4, $"{input} mel from S");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void TaggerMelAt16kHzMatchesLibrosa(string input)
    {
        var expected = Reference.Load(input, "mel_tagger16k");
        var ours = Features.MelSpectrogram(Reference.Signal16000(input), sampleRate: 16000, nFft: 512, hopLength: 256, nMels: 96,
            htk: true, norm: MelNorm.None, fMin: 0, fMax: 8000);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, 1e-4, $"{input} mel_tagger16k");
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void MfccMatchesLibrosa(string input)
    {
        var y = Reference.Signal22050(input);
        var expected = Reference.Load(input, "mfcc");
        var ours = Features.Mfcc(y);
        Reference.AssertShape(expected, ours.Rows, ours.Columns);
        ArrayComparison.AssertRelativeMaxError(expected.ToFloat32(), ours.Data, 1e-4, $"{input} mfcc");

        var expectedLiftered = Reference.Load(input, "mfcc_40_lifter22");
        var liftered = Features.Mfcc(y, nMfcc: 40, lifter: 22);
        Reference.AssertShape(expectedLiftered, liftered.Rows, liftered.Columns);
        ArrayComparison.AssertRelativeMaxError(expectedLiftered.ToFloat32(), liftered.Data, 1e-4, $"{input} mfcc_40_lifter22");
    }

    [Fact]
    public void ParallelMelEqualsSingleThreaded()
    {
        var y = Reference.Signal22050("librosa_vibe_ace");
        var single = Features.MelSpectrogram(y);
        var parallel = Features.MelSpectrogram(y, options: DspOptions.Parallel with { MaxDegreeOfParallelism = 3 });
        Assert.Equal(single.Data, parallel.Data);
    }

    [Fact]
    public void InvalidMelParametersAreNamed()
    {
        Assert.Contains("nMels", Assert.Throws<MusicMLException>(() => Filters.Mel(22050, 2048, nMels: 0)).Message);
        Assert.Contains("fMax", Assert.Throws<MusicMLException>(() => Filters.Mel(22050, 2048, fMin: 5000, fMax: 4000)).Message);
        Assert.Contains("nMfcc", Assert.Throws<MusicMLException>(() => Features.Mfcc(new float[4096], nMfcc: 200)).Message);
        Assert.Contains("power", Assert.Throws<MusicMLException>(() => Features.MelSpectrogram(new float[4096], power: 3)).Message);
    }
}
