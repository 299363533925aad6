using MusicML.Cli.Infrastructure;
using MusicML.Mir.Chords;
using MusicML.Mir.Key;
using MusicML.Mir.Pitch;
using MusicML.Mir.Segmentation;
using MusicML.Mir.Tempo;

namespace MusicML.Cli.Tests;

/// <summary>
/// The estimate file formats the task commands and <c>musicml experiment</c> both write, pinned character for
/// character: milliseconds for events, two decimals for BPM and three for the tempo strength, microseconds for .lab
/// boundaries and f0 frame times, millihertz for f0; invariant culture and '\n' whatever the machine's settings.
/// </summary>
public sealed class EstimateTextTests
{
    [Fact]
    public void Events_are_one_time_per_line_in_milliseconds() =>
        Assert.Equal("0.000\n0.500\n1.235\n", EstimateText.Times([0.0, 0.5, 1.2345678]));

    [Fact]
    public void Tempo_is_one_bpm_or_the_mirex_row()
    {
        var tempo = new TempoEstimate(120.004, 60.5, 0.66666);
        Assert.Equal("120.00\n", EstimateText.Tempo(tempo, mirex: false));
        Assert.Equal("120.00 60.50 0.667\n", EstimateText.Tempo(tempo, mirex: true));
    }

    [Fact]
    public void Key_is_the_mir_eval_label() =>
        Assert.Equal("A minor\n", EstimateText.Key(new KeyEstimate(9, KeyMode.Minor, 0.9, new double[24])));

    [Fact]
    public void Chords_and_segments_are_lab_rows()
    {
        Assert.Equal("0.000000 1.500000 N\n1.500000 3.250001 G:7\n",
            EstimateText.Chords([new ChordSegment(0, 1.5, "N"), new ChordSegment(1.5, 3.2500006, "G:7")]));
        Assert.Equal("0.000000 10.000000 A\n10.000000 20.000000 B\n",
            EstimateText.Segments([new StructureSegment(0, 10, "A"), new StructureSegment(10, 20, "B")]));
    }

    [Fact]
    public void Pitch_is_time_and_f0_per_frame_with_zero_when_unvoiced() =>
        Assert.Equal("0.000000 0.000\n0.011610 220.001\n",
            EstimateText.Pitch(new PitchTrack([0, 0.0116099773], [0, 220.0006], [false, true], [0.1, 0.9])));
}
