namespace MusicML.Evaluation.Tests;

/// <summary>Families without mir_eval fixtures, checked against values worked out by hand in the comments.</summary>
public class TaggingClassificationRetrievalTests
{
    private const double Exact = 1e-12;

    [Fact]
    public void RocAucCountsTiesAsHalf()
    {
        // Positives score .9 .5 .3 .3, negatives .9 .3 .1. Over the 12 positive/negative pairs the positives win
        // 2.5 + 2 + 1.5 + 1.5 = 7.5 (the .9/.9 and .3/.3 ties count one half): AUC = 7.5 / 12 = 0.625 (sklearn agrees).
        bool[] y = [true, false, true, true, false, false, true];
        double[] s = [0.9, 0.9, 0.5, 0.3, 0.3, 0.1, 0.3];
        Assert.Equal(0.625, TaggingEvaluation.RocAuc(y, s), Exact);
    }

    [Fact]
    public void AveragePrecisionGroupsTiedScores()
    {
        // Thresholds .9 → (P 1/2, R 1/4), .5 → (2/3, 1/2), .3 → (4/6, 1), .1 → (4/7, 1):
        // AP = 1/4·1/2 + 1/4·2/3 + 1/2·2/3 + 0 = 0.625 (sklearn's average_precision_score agrees).
        bool[] y = [true, false, true, true, false, false, true];
        double[] s = [0.9, 0.9, 0.5, 0.3, 0.3, 0.1, 0.3];
        Assert.Equal(0.625, TaggingEvaluation.AveragePrecision(y, s), Exact);
        Assert.Equal(0.0, TaggingEvaluation.AveragePrecision([false, false], [0.2, 0.4]), Exact);
    }

    [Fact]
    public void MacroScoresAverageOverTags()
    {
        // Tag 0: positives .8 .6 vs negatives .4 .2 → AUC 1, AP 1. Tag 1: positives .7 .6 vs negatives .1 .65 →
        // pairs won 2 + 1 = 3 of 4 → AUC .75; ranking .7(+) .65(−) .6(+) gives AP = 1/2·1 + 1/2·2/3 = 5/6.
        // Macro: AUC (1 + .75)/2 = .875, AP (1 + 5/6)/2 = 11/12 (sklearn: 0.875, 0.91666…).
        bool[][] y = [[true, false], [false, true], [true, true], [false, false]];
        double[][] s = [[0.8, 0.1], [0.4, 0.7], [0.6, 0.6], [0.2, 0.65]];
        Assert.Equal([1.0, 0.75], TaggingEvaluation.RocAucPerTag(y, s));
        Assert.Equal(0.875, TaggingEvaluation.MacroRocAuc(y, s), Exact);
        Assert.Equal(11.0 / 12.0, TaggingEvaluation.MacroAveragePrecision(y, s), Exact);
    }

    [Fact]
    public void RocAucOfOneClassIsAnError()
    {
        var error = Assert.Throws<AnnotationException>(() => TaggingEvaluation.RocAuc([true, true], [0.1, 0.2]));
        Assert.Contains("one class", error.Message);
        Assert.Throws<AnnotationException>(() => TaggingEvaluation.RocAuc([true, false], [double.NaN, 0.2]));
    }

    [Fact]
    public void ClassificationAccuracyF1AndConfusion()
    {
        // truth  rock rock jazz pop  pop pop
        // pred   rock jazz jazz pop  rock pop   → 4 of 6 correct: accuracy 2/3.
        // jazz: P 1/2 R 1 F1 2/3; pop: P 1 R 2/3 F1 .8; rock: P 1/2 R 1/2 F1 1/2; macro F1 = (2/3 + .8 + .5)/3.
        string[] truth = ["rock", "rock", "jazz", "pop", "pop", "pop"];
        string[] predicted = ["rock", "jazz", "jazz", "pop", "rock", "pop"];
        Assert.Equal(2.0 / 3.0, ClassificationEvaluation.Accuracy(truth, predicted), Exact);
        var perClass = ClassificationEvaluation.PerClass(truth, predicted);
        Assert.Equal(["jazz", "pop", "rock"], perClass.Select(c => c.Label));
        Assert.Equal(2.0 / 3.0, perClass[0].F1, Exact);
        Assert.Equal(0.8, perClass[1].F1, Exact);
        Assert.Equal(0.5, perClass[2].F1, Exact);
        Assert.Equal(3, perClass[1].Support);
        Assert.Equal((2.0 / 3.0 + 0.8 + 0.5) / 3, ClassificationEvaluation.MacroF1(truth, predicted), Exact);
        var confusion = ClassificationEvaluation.Confusion(truth, predicted);
        Assert.Equal(new[,] { { 1, 0, 0 }, { 0, 2, 1 }, { 1, 0, 1 } }, confusion.Counts);
    }

    [Fact]
    public void ClassificationRejectsMismatchedInputs()
    {
        Assert.Throws<AnnotationException>(() => ClassificationEvaluation.Accuracy(["a"], ["a", "b"]));
        Assert.Throws<AnnotationException>(() => ClassificationEvaluation.Accuracy([], []));
    }

    [Fact]
    public void RetrievalScoresAtK()
    {
        // Ranking a b c d e, relevant {a, c, f}.
        // P@3 = 2/3; R@3 = 2/3; AP@3 = (1/1 + 2/3) / min(3, 3) = 5/9; RR = 1 (a is first).
        // NDCG@3 (binary): DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/log2(4) = 2.1309297535714578.
        string[] ranking = ["a", "b", "c", "d", "e"];
        var relevant = new HashSet<string> { "a", "c", "f" };
        Assert.Equal(2.0 / 3.0, RetrievalEvaluation.PrecisionAtK(ranking, relevant, 3), Exact);
        Assert.Equal(2.0 / 3.0, RetrievalEvaluation.RecallAtK(ranking, relevant, 3), Exact);
        Assert.Equal(5.0 / 9.0, RetrievalEvaluation.AveragePrecisionAtK(ranking, relevant, 3), Exact);
        Assert.Equal(1.5 / (1 + 1 / Math.Log2(3) + 0.5), RetrievalEvaluation.NdcgAtK(ranking, relevant, 3), Exact);
        Assert.Equal(1.0, RetrievalEvaluation.ReciprocalRank(ranking, relevant), Exact);
        // P@10 pads the 5-item ranking with misses: 2/10.
        Assert.Equal(0.2, RetrievalEvaluation.PrecisionAtK(ranking, relevant, 10), Exact);
    }

    [Fact]
    public void MeanOverQueries()
    {
        // Query 1: relevant b at rank 2 → RR 1/2, AP@2 = (1/2)/1 = 1/2. Query 2: nothing relevant ranked → RR 0, AP 0.
        // MRR = 1/4, MAP@2 = 1/4.
        IReadOnlyList<string>[] rankings = [["a", "b"], ["c", "d"]];
        IReadOnlySet<string>[] relevant = [new HashSet<string> { "b" }, new HashSet<string> { "z" }];
        Assert.Equal(0.25, RetrievalEvaluation.MeanReciprocalRank(rankings, relevant), Exact);
        Assert.Equal(0.25, RetrievalEvaluation.MeanAveragePrecisionAtK(rankings, relevant, 2), Exact);
    }

    [Fact]
    public void GradedNdcg()
    {
        // Gains a:3 b:2 c:0, ranking c a b: DCG@3 = 0 + 3/log2(3) + 2/2; ideal a b c: 3 + 2/log2(3).
        var gains = new Dictionary<string, double> { ["a"] = 3, ["b"] = 2, ["c"] = 0 };
        double expected = (3 / Math.Log2(3) + 1) / (3 + 2 / Math.Log2(3));
        Assert.Equal(expected, RetrievalEvaluation.NdcgAtK(["c", "a", "b"], gains, 3), Exact);
        Assert.Throws<AnnotationException>(() => RetrievalEvaluation.PrecisionAtK(["a"], new HashSet<string>(), 0));
    }
}
