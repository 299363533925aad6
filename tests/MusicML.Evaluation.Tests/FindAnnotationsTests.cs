namespace MusicML.Evaluation.Tests;

/// <summary><see cref="Evaluator.FindAnnotations"/> keys references by the same stems <see cref="Evaluator.EvaluateSet"/> pairs on.</summary>
public sealed class FindAnnotationsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("musicml-find-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void Stems_keep_sub_folders_and_the_tasks_own_extension_wins()
    {
        Write("a.beats", "1.0\n");
        Write("sub/b.beats", "1.0\n");
        // A folder that uses .beats may hold other text files; they are not beat references (eval's rule).
        Write("c.txt", "1.0\n");
        Write("manifest.csv", "id\n");
        Write("a.chords.lab", "0 1 C:maj\n");

        var beats = Evaluator.FindAnnotations(EvaluationTask.Get("beats"), _dir);
        Assert.Equal(["a", "sub/b"], beats.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine(_dir, "sub", "b.beats"), beats["sub/b"]);

        var chords = Evaluator.FindAnnotations(EvaluationTask.Get("chords"), _dir);
        Assert.Equal(["a"], chords.Keys);
        Assert.Equal(Path.Combine(_dir, "a.chords.lab"), chords["a"]);
    }

    [Fact]
    public void A_missing_path_is_named()
    {
        var missing = Path.Combine(_dir, "nope");
        var e = Assert.Throws<AnnotationException>(() => Evaluator.FindAnnotations(EvaluationTask.Get("key"), missing));
        Assert.Contains(missing, e.Message);
    }
}
