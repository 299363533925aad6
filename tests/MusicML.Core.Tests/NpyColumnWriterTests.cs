using System.Text;
using MusicML.Core;

namespace MusicML.Core.Tests;

/// <summary>
/// The streamed .npy writer: a matrix appended a few columns at a time in Fortran order reads back (through our own
/// reader, which honours fortran_order like numpy) as exactly the row-major [rows, columns] array.
/// </summary>
public class NpyColumnWriterTests
{
    private static string TempPath(string name) => Path.Combine(Directory.CreateTempSubdirectory("musicml-npycol-").FullName, name);

    [Fact]
    public void ColumnsAppendedInChunksReadBackAsTheRowMajorMatrix()
    {
        const int rows = 3, columns = 7;
        var matrix = Enumerable.Range(0, rows * columns).Select(i => i * 0.25f - 1).ToArray();
        var path = TempPath("mel.npy");
        using (var writer = new NpyColumnWriter(path, rows))
        {
            // Three chunks of 2, 4 and 1 columns, taken from the middle of larger blocks as a block processor does.
            writer.AppendColumns(matrix, columns, 0, 2);
            writer.AppendColumns(matrix, columns, 2, 4);
            writer.AppendColumns(matrix, columns, 6, 1);
            Assert.Equal(7, writer.Columns);
            Assert.False(File.Exists(path)); // nothing at the destination before Commit
            writer.Commit();
        }
        var back = NpyFile.Read(path);
        Assert.Equal([rows, columns], back.Shape);
        Assert.Equal(matrix, back.ToFloat32());
        var header = Encoding.Latin1.GetString(File.ReadAllBytes(path), 10, 118);
        Assert.Contains("'fortran_order': True", header);
        Assert.Contains("'shape': (3, 7)", header);
        // 128-byte header (64-byte aligned data, as numpy requires) plus 21 float32 values.
        Assert.Equal(128 + 4 * rows * columns, new FileInfo(path).Length);
    }

    [Fact]
    public void OneDimensionalShapeAndAnUncommittedWriterLeavesNothing()
    {
        var path = TempPath("env.npy");
        using (var writer = new NpyColumnWriter(path, 1, oneDimensional: true))
        {
            writer.AppendColumns(new float[] { 1, 2, 3 }, 3, 1, 2);
            writer.Commit();
        }
        var back = NpyFile.Read(path);
        Assert.Equal([2], back.Shape);
        Assert.Equal(new float[] { 2, 3 }, back.ToFloat32());

        var abandoned = TempPath("abandoned.npy");
        using (var writer = new NpyColumnWriter(abandoned, 2)) writer.AppendColumns(new float[] { 1, 2 }, 1, 0, 1);
        Assert.False(File.Exists(abandoned));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(abandoned)!));
    }

    [Fact]
    public void MismatchedShapesAreRefusedWithThePath()
    {
        var path = TempPath("bad.npy");
        using var writer = new NpyColumnWriter(path, 2);
        var e = Assert.Throws<MusicMLException>(() => writer.AppendColumns(new float[6], 2, 0, 1));
        Assert.Contains(path, e.Message);
        Assert.Throws<MusicMLException>(() => writer.AppendColumns(new float[4], 2, 1, 2));
    }
}
