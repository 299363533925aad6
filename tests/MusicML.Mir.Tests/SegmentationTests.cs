using MusicML.Core;
using MusicML.Mir.Segmentation;

namespace MusicML.Mir.Tests;

public class SegmentationTests
{
    // Section A: C major / G major chords on bright tones (8 partials); section B: Eb minor / Ab major on dull tones
    // (1 partial) an octave lower. A B A, 10 s each: boundaries at exactly 10 s and 20 s.
    private static float[] Sections()
    {
        var audio = new float[30 * ToneSynth.SampleRate];
        void Chord(double start, int root, int[] intervals, int partials, int octave)
        {
            foreach (var i in intervals) ToneSynth.AddTone(audio, ToneSynth.MidiToHz(octave + root + i), start, start + 1.0, 0.1f, partials);
        }
        for (int s = 0; s < 3; s++)
            for (int k = 0; k < 10; k++)
            {
                double start = s * 10 + k;
                if (s == 1) Chord(start, k % 2 == 0 ? 3 : 8, k % 2 == 0 ? [0, 3, 7] : [0, 4, 7], 1, 48);
                else Chord(start, k % 2 == 0 ? 0 : 7, [0, 4, 7], 8, 60);
            }
        return audio;
    }

    [Fact]
    public void Finds_section_boundaries_and_repeats()
    {
        var segments = FooteSegmenter.Segment(Sections(), ToneSynth.SampleRate);
        Assert.Equal(3, segments.Count);
        // Blocks are 0.5 s, so a boundary can be off by up to half a block.
        Assert.Equal(10.0, segments[1].Start, 0.5);
        Assert.Equal(20.0, segments[2].Start, 0.5);
        Assert.Equal(["A", "B", "A"], segments.Select(s => s.Label));
        Assert.Equal(0, segments[0].Start);
        Assert.Equal(30.0, segments[^1].End, 1e-9);
    }

    [Fact]
    public void Bad_options_name_the_value()
    {
        Assert.Contains("KernelSeconds", Assert.Throws<MusicMLException>(() =>
            FooteSegmenter.Segment(Sections(), options: SegmentationOptions.Default with { KernelSeconds = 0 })).Message);
        Assert.Contains("empty", Assert.Throws<MusicMLException>(() => FooteSegmenter.Segment(Array.Empty<float>())).Message);
    }
}
