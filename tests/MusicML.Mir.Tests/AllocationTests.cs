using MusicML.Mir.Beats;
using MusicML.Mir.Onsets;

namespace MusicML.Mir.Tests;

public class AllocationTests
{
    [Fact]
    public void BarPointerViterbiAllocatesOnlyItsPerFrameBackPointers()
    {
        // 100-frame/s activation of a 120 BPM pulse; the default range (55–215 BPM) gives 84 beat intervals (27–110 frames) and ~5,800 states.
        static OnsetEnvelope Pulse(int frames) =>
            new(Enumerable.Range(0, frames).Select(t => t % 50 == 0 ? 1f : 0.01f).ToArray(), 100);
        var tracker = new BarPointerBeatTracker();
        tracker.Track(Pulse(1000)); // JIT and caches
        long Measure(int frames)
        {
            var activation = Pulse(frames);
            long before = GC.GetAllocatedBytesForCurrentThread();
            tracker.Track(activation);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long small = Measure(2000), large = Measure(8000);
        // Per frame the decoder may keep one 2-byte back pointer per tempo (84 × 2 B), the probability, sort copy,
        // beat flag and path (8 + 4 + 1 B): about 181 B. Anything allocated inside the frame loop would add more.
        double perFrame = (large - small) / 6000.0;
        Assert.True(perFrame <= 200, $"{perFrame:F0} bytes per frame");
    }
}
