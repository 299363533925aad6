using MusicML.Core;
using MusicML.TestSupport;

namespace MusicML.Core.Tests;

public class NpyFileTests
{
    [Fact]
    public void RoundTripsFloat32WithShape()
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            var data = Enumerable.Range(0, 6).Select(i => i * 0.5f).ToArray();
            NpyFile.WriteFloat32(path, data, 2, 3);
            var back = NpyFile.Read(path);
            Assert.Equal(NpyDataType.Float32, back.DataType);
            Assert.Equal([2, 3], back.Shape);
            Assert.Equal(data, back.ToFloat32());
            // numpy requires the data to start on a 16-byte boundary; we use 64 like numpy >= 1.x writers.
            Assert.Equal(0, (new FileInfo(path).Length - data.Length * 4) % 64);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ReadsFortranOrderedLibrosaStftInCOrder()
    {
        // librosa's STFT arrays are saved Fortran-ordered (1025 x 259 complex64); the mel matrix is C-ordered.
        // |STFT|^2 projected through the Slaney filterbank must reproduce librosa's mel (mel = fb @ |S|^2), which only
        // holds if both files were read into the same (row-major) layout.
        var stft = NpyFile.Read(SharedData.Path("eval", "librosa_reference", "vocadito_1.44k.stft.npy"));
        var fb = NpyFile.Read(SharedData.Path("eval", "librosa_reference", "filters.mel_fb_slaney_22050_2048_128.npy"));
        var mel = NpyFile.Read(SharedData.Path("eval", "librosa_reference", "vocadito_1.44k.mel.npy"));
        Assert.Equal([1025, 259], stft.Shape);
        var s = stft.ToComplexInterleaved();
        var w = fb.ToFloat32();
        var expected = mel.ToFloat32();
        var actual = new float[128 * 259];
        for (int m = 0; m < 128; m++)
            for (int t = 0; t < 259; t++)
            {
                double acc = 0;
                for (int k = 0; k < 1025; k++)
                {
                    double re = s[2 * (k * 259 + t)], im = s[2 * (k * 259 + t) + 1];
                    acc += w[m * 1025 + k] * (re * re + im * im);
                }
                actual[m * 259 + t] = (float)acc;
            }
        ArrayComparison.AssertRelativeMaxError(expected, actual, 1e-5, "fb @ |stft|^2 vs librosa mel");
    }

    [Fact]
    public void TruncatedFileGivesClearError()
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            NpyFile.WriteFloat32(path, new float[100], 100);
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^40]);
            var e = Assert.Throws<MusicMLException>(() => NpyFile.Read(path));
            Assert.Contains("truncated", e.Message);
        }
        finally { File.Delete(path); }
    }

    /// <summary>A version 1.0 file with <paramref name="header"/> as its dict and <paramref name="dataBytes"/> zero bytes after it.</summary>
    private static string WithHeader(string header, int dataBytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"musicml-npy-hostile-{Guid.NewGuid():N}.npy");
        var text = System.Text.Encoding.Latin1.GetBytes(header.PadRight(117) + "\n");
        File.WriteAllBytes(path, [0x93, .. "NUMPY"u8, 1, 0, (byte)text.Length, (byte)(text.Length >> 8), .. text, .. new byte[dataBytes]]);
        return path;
    }

    /// <summary>
    /// Headers that would have allocated terabytes, parsed a negative size or overflowed: each is refused from the
    /// header with the path and the declared shape, before any data buffer exists.
    /// </summary>
    [Theory]
    [InlineData("(100000, 100000, 100000)", "more than one array can hold")]
    [InlineData("(100000, 1000)", "400000000 bytes, but only 16 follow (the file is truncated)")]
    [InlineData("(-4,)", "dimension '-4' is not a size from 0 to 2147483647")]
    [InlineData("(99999999999,)", "dimension '99999999999' is not a size")]
    [InlineData("(4, x)", "dimension 'x' is not a size")]
    public void HostileShapesAreRefusedBeforeAllocating(string shape, string expected)
    {
        var path = WithHeader($"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}", 16);
        try
        {
            var e = Assert.Throws<MusicMLException>(() => NpyFile.Read(path));
            Assert.StartsWith($"{path}: ", e.Message);
            Assert.Contains(expected, e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void RejectsNonNpyFile()
    {
        var path = System.IO.Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "time,value\n0.0,1.0\n");
            var e = Assert.Throws<MusicMLException>(() => NpyFile.Read(path));
            Assert.Contains("not a .npy file", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ReadsInt64ScalarAndConvertsTypes()
    {
        using var ms = new MemoryStream();
        NpyFile.Write(ms, NpyArray.FromInt64([42L]));
        ms.Position = 0;
        var back = NpyFile.Read(ms);
        Assert.Empty(back.Shape);
        Assert.Equal(1, back.Length);
        Assert.Equal([42L], back.ToInt64());
        Assert.Equal([42f], back.ToFloat32());
    }

    [Fact]
    public void ErrorsNameTheFileAsAProperty()
    {
        // A file that is not .npy: the parse error is wrapped once with the path, which FilePath carries too.
        var path = Path.Combine(Path.GetTempPath(), $"musicml-not-npy-{Environment.ProcessId}.npy");
        File.WriteAllText(path, "this is not an array");
        try
        {
            var e = Assert.Throws<MusicMLException>(() => NpyFile.Read(path));
            Assert.Equal(path, e.FilePath);
            Assert.Equal($"{path}: not a .npy file (bad magic bytes).", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
