namespace MusicML.Learning.Tests;

/// <summary>The numpy generator the trees and forests reproduce, checked against numpy's well-known outputs.</summary>
public sealed class NumpyRandomStateTests
{
    [Fact]
    public void RandIntMatchesNumpysLegacyRandomState()
    {
        // numpy: np.random.RandomState(0).randint(0, 10, 5) = [5, 0, 3, 3, 7] and
        // np.random.RandomState(42).randint(0, 100, 5) = [51, 92, 14, 71, 60].
        var zero = new NumpyRandomState(0);
        Assert.Equal([5L, 0, 3, 3, 7], Enumerable.Range(0, 5).Select(_ => zero.RandInt(0, 10)));
        var fortyTwo = new NumpyRandomState(42);
        Assert.Equal([51L, 92, 14, 71, 60], Enumerable.Range(0, 5).Select(_ => fortyTwo.RandInt(0, 100)));
    }
}
