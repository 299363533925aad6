using MusicML.Batch;

namespace MusicML.Batch.Tests;

public sealed class CatalogueWalkerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("musicml-walker-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Touch(string relative)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0]);
        return path;
    }

    [Fact]
    public void ADirectorysTracksAreNamedByTheirPathUnderItSorted()
    {
        Touch("cat/b/x.wav");
        Touch("cat/a/x.wav");
        Touch("cat/a/notes.txt");
        var tracks = CatalogueWalker.Walk([Path.Combine(_root, "cat")]);
        Assert.Equal(["a/x.wav", "b/x.wav"], tracks.Select(t => t.RelativePath));
        Assert.Equal(Path.Combine(_root, "cat", "a", "x.wav"), tracks[0].Path);
    }

    [Fact]
    public void FilesGivenDirectlyAreNamedByTheirNameUnlessTwoNamesClashThenByTheirFolders()
    {
        string a = Touch("a/x.wav"), b = Touch("b/x.wav"), c = Touch("a/y.wav");
        Assert.Equal(["x.wav", "y.wav"], CatalogueWalker.Walk([a, c]).Select(t => t.RelativePath));
        // Two x.wav: both named under the inputs' common folder, so their outputs never overwrite each other.
        Assert.Equal(["a/x.wav", "b/x.wav", "a/y.wav"], CatalogueWalker.Walk([a, b, c]).Select(t => t.RelativePath));
        // The same file named twice is one track.
        Assert.Single(CatalogueWalker.Walk([a, Path.Combine(_root, "a", ".", "x.wav")]));
    }

    [Fact]
    public void AManifestListsTracksRelativeToItsFolder()
    {
        Touch("m/audio/one.wav");
        var manifest = Path.Combine(_root, "m", "list.csv");
        File.WriteAllText(manifest, "path,genre\naudio/one.wav,rock\n\"audio/two, with comma.wav\",jazz\n");
        var tracks = CatalogueWalker.Walk([manifest], manifests: true);
        Assert.Equal(["audio/one.wav", "audio/two, with comma.wav"], tracks.Select(t => t.RelativePath));
        // A listed file that does not exist is kept: it becomes that track's error, not the run's.
        Assert.Equal(Path.Combine(_root, "m", "audio", "two, with comma.wav"), tracks[1].Path);
        // Without manifests, a .csv input is just a file.
        Assert.Equal(["list.csv"], CatalogueWalker.Walk([manifest]).Select(t => t.RelativePath));
    }

    [Fact]
    public void ABadManifestIsRefusedWithFileAndLine()
    {
        var noColumn = Path.Combine(_root, "no-column.csv");
        File.WriteAllText(noColumn, "name,genre\na.wav,rock\n");
        var e = Assert.Throws<BatchUsageException>(() => CatalogueWalker.Walk([noColumn], manifests: true));
        Assert.Equal($"{noColumn}:1: no 'path' column (columns: name, genre).", e.Message);

        var emptyField = Path.Combine(_root, "empty-field.csv");
        File.WriteAllText(emptyField, "path,genre\na.wav,rock\n,jazz\n");
        Assert.Equal($"{emptyField}:3: empty 'path' field.", Assert.Throws<BatchUsageException>(() => CatalogueWalker.Walk([emptyField], manifests: true)).Message);

        var ragged = Path.Combine(_root, "ragged.csv");
        File.WriteAllText(ragged, "path,genre\na.wav,rock\nb.wav\n");
        Assert.StartsWith($"{ragged}:3: ", Assert.Throws<BatchUsageException>(() => CatalogueWalker.Walk([ragged], manifests: true)).Message);

        Assert.Contains("no such file or directory", Assert.Throws<BatchUsageException>(() => CatalogueWalker.Walk([Path.Combine(_root, "nope")])).Message);
    }
}
