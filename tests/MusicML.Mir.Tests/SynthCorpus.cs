using MusicML.Audio;
using MusicML.Mir.Onsets;
using MusicML.TestSupport;

namespace MusicML.Mir.Tests;

/// <summary>The 40 synthetic clips of ../shared/eval/synth, decoded and analysed once per test run.</summary>
internal static class SynthCorpus
{
    public sealed record Clip(string Id, string Directory, float[] Samples, int SampleRate, RhythmSpectrogram Spectrogram)
    {
        public string Annotation(string extension) => Path.Combine(Directory, Id + extension);
    }

    private static readonly Lazy<IReadOnlyList<Clip>> ClipsLazy = new(Load);

    public static IReadOnlyList<Clip> Clips => ClipsLazy.Value;

    private static IReadOnlyList<Clip> Load()
    {
        var directory = SharedData.Path("eval", "synth");
        var ids = Directory.EnumerateFiles(directory, "*.wav").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToArray();
        var clips = new Clip[ids.Length];
        Parallel.For(0, ids.Length, i =>
        {
            var audio = AudioFile.Load(Path.Combine(directory, ids[i] + ".wav"), sampleRate: null);
            var y = audio.ToMono();
            clips[i] = new Clip(ids[i], directory, y, audio.SampleRate, RhythmSpectrogram.Compute(y, audio.SampleRate));
        });
        return clips;
    }
}
