using MusicML.Core;
using MusicML.Mir.Chords;
using MusicML.Mir.Segmentation;

namespace MusicML.Mir.Tests;

/// <summary>
/// The public <c>Validate</c> of the chord and segmentation options, which callers (the CLI's experiment parameters)
/// run before any audio is decoded: the defaults pass, and each bad value is rejected with its property name and
/// the value itself in the message, without touching audio.
/// </summary>
public class OptionsValidationTests
{
    [Fact]
    public void Default_options_are_valid()
    {
        ChordOptions.Default.Validate();
        SegmentationOptions.Default.Validate();
    }

    [Theory]
    [InlineData(nameof(ChordOptions.ChangeRatePerSecond), 1.0)]
    [InlineData(nameof(ChordOptions.BassWeight), -0.5)]
    [InlineData(nameof(ChordOptions.TemplateHarmonics), 17.0)]
    [InlineData(nameof(ChordOptions.Sharpness), double.PositiveInfinity)]
    [InlineData(nameof(ChordOptions.SilenceRatio), 1.0)]
    [InlineData(nameof(ChordOptions.DiatonicBonus), double.NaN)]
    public void Chord_options_name_the_bad_setting(string setting, double value)
    {
        var options = setting switch
        {
            nameof(ChordOptions.ChangeRatePerSecond) => ChordOptions.Default with { ChangeRatePerSecond = value },
            nameof(ChordOptions.BassWeight) => ChordOptions.Default with { BassWeight = value },
            nameof(ChordOptions.TemplateHarmonics) => ChordOptions.Default with { TemplateHarmonics = (int)value },
            nameof(ChordOptions.Sharpness) => ChordOptions.Default with { Sharpness = value },
            nameof(ChordOptions.SilenceRatio) => ChordOptions.Default with { SilenceRatio = value },
            _ => ChordOptions.Default with { DiatonicBonus = value },
        };
        var message = Assert.Throws<MusicMLException>(options.Validate).Message;
        Assert.Contains(setting, message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.CurrentCulture), message);
    }

    [Theory]
    [InlineData(nameof(SegmentationOptions.BlockSeconds), 0.0)]
    [InlineData(nameof(SegmentationOptions.KernelSeconds), 0.5)]
    [InlineData(nameof(SegmentationOptions.MinSegmentSeconds), -1.0)]
    [InlineData(nameof(SegmentationOptions.PeakThreshold), 1.0)]
    [InlineData(nameof(SegmentationOptions.LabelSimilarity), 1.5)]
    public void Segmentation_options_name_the_bad_setting(string setting, double value)
    {
        var options = setting switch
        {
            nameof(SegmentationOptions.BlockSeconds) => SegmentationOptions.Default with { BlockSeconds = value },
            nameof(SegmentationOptions.KernelSeconds) => SegmentationOptions.Default with { KernelSeconds = value },
            nameof(SegmentationOptions.MinSegmentSeconds) => SegmentationOptions.Default with { MinSegmentSeconds = value },
            nameof(SegmentationOptions.PeakThreshold) => SegmentationOptions.Default with { PeakThreshold = value },
            _ => SegmentationOptions.Default with { LabelSimilarity = value },
        };
        var message = Assert.Throws<MusicMLException>(options.Validate).Message;
        Assert.Contains(setting, message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.CurrentCulture), message);
    }
}
