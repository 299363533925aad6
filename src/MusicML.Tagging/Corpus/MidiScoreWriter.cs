using MusicML.Core;
using NAudio.Midi;

namespace MusicML.Tagging.Corpus;

/// <summary>
/// Writes a <see cref="Score"/> as a type-1 Standard MIDI File with NAudio.Midi: a conductor track (time and key
/// signature, tempo, and the chord labels as marker events, times without any render shift) and one track per
/// channel (track name, program, volume/pan/reverb/chorus, notes). The bytes depend only on the score, so the same
/// seed gives a byte-identical file.
/// </summary>
public static class MidiScoreWriter
{
    /// <summary>The score as MIDI file bytes.</summary>
    public static byte[] ToBytes(Score score)
    {
        ArgumentNullException.ThrowIfNull(score);
        var spec = score.Spec;
        var events = new MidiEventCollection(1, Score.TicksPerQuarter);

        var conductor = new List<MidiEvent>
        {
            new TextEvent("conductor", MetaEventType.SequenceTrackName, 0),
            new TimeSignatureEvent(0, spec.BeatsPerBar, 2, 24, 8),
            new KeySignatureEvent(spec.Key.Fifths, spec.Key.IsMinor ? 1 : 0, 0),
        };
        int? previous = null;
        foreach (var (tick, us) in score.TempoMap)
        {
            if (us != previous) conductor.Add(new TempoEvent(us, tick));
            previous = us;
        }
        foreach (var segment in score.Chords) conductor.Add(new TextEvent(segment.Chord.Label, MetaEventType.Marker, segment.StartTick));
        conductor.Add(new TextEvent("N", MetaEventType.Marker, score.Chords[^1].EndTick));
        AddTrack(events, conductor, score.EndTick);

        var channels = spec.Parts.Select(p => (p.Channel, p.Program, Name: $"{p.Role.ToString().ToLowerInvariant()}: {SynthVocabulary.Tag(p.Family)} {p.Program}", p.Volume, p.Pan, p.Reverb, p.Chorus)).ToList();
        if (spec.Drums is { } d) channels.Add((ScoreComposer.DrumChannel, d.Kit, $"drums: kit {d.Kit} {d.Groove}", d.Volume, 64, d.Reverb, 0));
        foreach (var (channel, program, name, volume, pan, reverb, chorus) in channels)
        {
            int ch = channel + 1; // NAudio numbers channels from 1
            var track = new List<MidiEvent>
            {
                new TextEvent(name, MetaEventType.SequenceTrackName, 0),
                new PatchChangeEvent(0, ch, program),
                new ControlChangeEvent(0, ch, MidiController.MainVolume, volume),
                new ControlChangeEvent(0, ch, MidiController.Pan, pan),
                new ControlChangeEvent(0, ch, (MidiController)91, reverb),
                new ControlChangeEvent(0, ch, (MidiController)93, chorus),
            };
            // Note-offs before note-ons at the same tick, so a repeated pitch is released before it is struck again;
            // the export's sort is stable and keeps this order.
            var timed = new List<(long Tick, int Order, MidiEvent Event)>();
            foreach (var n in score.Notes.Where(n => n.Channel == channel))
            {
                timed.Add((n.Tick, 1, new NoteOnEvent(n.Tick, ch, n.Pitch, n.Velocity, n.Duration)));
                timed.Add((n.OffTick, 0, new NoteEvent(n.OffTick, ch, MidiCommandCode.NoteOff, n.Pitch, 0)));
            }
            track.AddRange(timed.OrderBy(t => t.Tick).ThenBy(t => t.Order).Select(t => t.Event));
            AddTrack(events, track, score.EndTick);
        }
        events.PrepareForExport();
        using var stream = new MemoryStream();
        try
        {
            MidiFile.Export(stream, events);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new MusicMLException($"Clip {spec.Seed}: NAudio.Midi refused the score ({e.Message}).", e);
        }
        return stream.ToArray();
    }

    /// <summary>Writes the score to <paramref name="path"/> atomically.</summary>
    /// <exception cref="MusicMLException">The path cannot be written.</exception>
    public static void Write(string path, Score score) => AtomicFile.WriteAllBytes(path, ToBytes(score));

    private static void AddTrack(MidiEventCollection events, List<MidiEvent> track, long endTick)
    {
        track.Add(new MetaEvent(MetaEventType.EndTrack, 0, Math.Max(endTick, track.Max(e => e.AbsoluteTime))));
        events.AddTrack(track);
    }
}
