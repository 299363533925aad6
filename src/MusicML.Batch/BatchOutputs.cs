using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MusicML.Core;
using MusicML.Similarity;
using Parquet;
using Parquet.Schema;

namespace MusicML.Batch;

/// <summary>
/// Writes a run's output files from its records (the latest journal line of each track, in track order): every file
/// to a temporary name and renamed when complete, so a reader never sees half a table, and records streamed from the
/// journal one pass per file, so memory does not grow with the catalogue (except the embedding store, which holds its vectors).
/// </summary>
/// <remarks>
/// Always <c>errors.csv</c> (file, track, stage, reason). Then by format: <c>csv</c> → <c>results.csv</c> and
/// <c>events.jsonl</c>; <c>jsonl</c> → <c>results.jsonl</c>; <c>sqlite</c> → <c>results.sqlite</c> (tables
/// <c>tracks</c>, <c>events</c>, <c>tags</c>, <c>errors</c>); <c>parquet</c> → <c>tracks.parquet</c>,
/// <c>events.parquet</c>, <c>tags.parquet</c>, <c>errors.parquet</c>. With the embedding task, <c>embeddings.store</c>
/// (<see cref="EmbeddingStore"/>, ids = track ids).
/// </remarks>
public static class BatchOutputs
{
    /// <summary>Name of the errors table.</summary>
    public const string ErrorsCsv = "errors.csv";

    private const string ResultsCsv = "results.csv", EventsJsonl = "events.jsonl", ResultsJsonl = "results.jsonl", ResultsSqlite = "results.sqlite",
        TracksParquet = "tracks.parquet", EventsParquet = "events.parquet", TagsParquet = "tags.parquet", ErrorsParquet = "errors.parquet",
        EmbeddingsStore = "embeddings.store";

    /// <summary>The files each format writes besides <see cref="ErrorsCsv"/>.</summary>
    private static readonly Dictionary<BatchFormat, string[]> FormatFiles = new()
    {
        [BatchFormat.Csv] = [ResultsCsv, EventsJsonl],
        [BatchFormat.Jsonl] = [ResultsJsonl],
        [BatchFormat.Sqlite] = [ResultsSqlite],
        [BatchFormat.Parquet] = [TracksParquet, EventsParquet, TagsParquet, ErrorsParquet],
    };

    /// <summary>Every output file any format or task can write (what <c>--force</c> clears before a run starts over).</summary>
    public static IReadOnlyList<string> AllFiles { get; } = [ErrorsCsv, .. FormatFiles.Values.SelectMany(f => f), EmbeddingsStore];

    private static readonly string[] ErrorColumns = ["file", "track", "stage", "reason"];
    private const int ParquetRowGroup = 10_000;

    /// <summary>Writes every output of <paramref name="format"/> into <paramref name="folder"/>.</summary>
    /// <param name="folder">The run's output folder.</param>
    /// <param name="format">The format asked for.</param>
    /// <param name="columns">The results columns (<see cref="BatchColumns.For"/>).</param>
    /// <param name="records">A fresh pass over the records, in track order, each time it is called.</param>
    /// <param name="embeddingSpace">The space of the embeddings when the embedding task ran, else null.</param>
    /// <returns>The files written (names inside <paramref name="folder"/>).</returns>
    public static IReadOnlyList<string> Write(string folder, BatchFormat format, IReadOnlyList<string> columns,
        Func<IEnumerable<TrackOutcome>> records, EmbeddingSpace? embeddingSpace)
    {
        var written = new List<string> { ErrorsCsv };
        written.AddRange(FormatFiles[format]);
        AtomicFile.WriteText(Path.Combine(folder, ErrorsCsv), writer =>
        {
            using var table = new CsvTable(writer, ErrorColumns);
            foreach (var r in records()) if (r.Error is { } e) table.WriteRow([r.Path, r.Track, e.Stage, e.Reason]);
        });
        switch (format)
        {
            case BatchFormat.Csv:
                AtomicFile.WriteText(Path.Combine(folder, ResultsCsv), writer =>
                {
                    using var table = new CsvTable(writer, columns);
                    foreach (var r in records()) if (r.Row is { } row) table.WriteRow(Fields(row, columns));
                });
                AtomicFile.WriteText(Path.Combine(folder, EventsJsonl), writer =>
                {
                    foreach (var r in records()) if (r.Events is { } events) writer.Write(EventsLine(r, events));
                });
                break;
            case BatchFormat.Jsonl:
                AtomicFile.WriteText(Path.Combine(folder, ResultsJsonl), writer =>
                {
                    foreach (var r in records()) if (!r.Failed) writer.Write(ResultLine(r, columns));
                });
                break;
            case BatchFormat.Sqlite:
                WriteSqlite(Path.Combine(folder, ResultsSqlite), columns, records);
                break;
            case BatchFormat.Parquet:
                WriteParquet(folder, columns, records);
                break;
        }
        if (embeddingSpace is not null)
        {
            var store = new EmbeddingStore(embeddingSpace);
            foreach (var r in records()) if (r.Embedding is { } v) store.Add(r.Track, r.Path, v);
            store.Save(Path.Combine(folder, EmbeddingsStore));
            written.Add(EmbeddingsStore);
        }
        return written;
    }

    private static string[] Fields(Dictionary<string, string> row, IReadOnlyList<string> columns) =>
        [.. columns.Select(c => row.GetValueOrDefault(c, ""))];

    /// <summary>One <c>events.jsonl</c> line: <c>{"track", "file", "onsets", "beats", "downbeats", "chords", "segments"}</c>.</summary>
    private static string EventsLine(TrackOutcome r, TrackEvents events) => JsonLine(json =>
    {
        json.WriteString("track", r.Track);
        json.WriteString("file", r.Path);
        WriteEvents(json, events);
    });

    /// <summary>One <c>results.jsonl</c> line: the row's fields (numbers as numbers), the events and every tag.</summary>
    private static string ResultLine(TrackOutcome r, IReadOnlyList<string> columns) => JsonLine(json =>
    {
        foreach (var column in columns)
        {
            switch (BatchColumns.Value(column, r.Row!.GetValueOrDefault(column, "")))
            {
                case null: json.WriteNull(column); break;
                case long i: json.WriteNumber(column, i); break;
                case double d: json.WriteNumber(column, d); break;
                case var text: json.WriteString(column, (string)text); break;
            }
        }
        if (r.Events is { } events) WriteEvents(json, events);
        if (r.Tags is { } tags)
        {
            json.WriteStartObject("tag_probabilities");
            foreach (var t in tags) json.WriteNumber(t.Tag, Math.Round(t.Probability, 6));
            json.WriteEndObject();
        }
    });

    private static void WriteEvents(Utf8JsonWriter json, TrackEvents events)
    {
        Times("onsets", events.Onsets);
        Times("beats", events.Beats);
        Times("downbeats", events.Downbeats);
        Intervals("chords", events.Chords);
        Intervals("segments", events.Segments);

        void Times(string name, double[] times)
        {
            json.WriteStartArray(name);
            foreach (var t in times) json.WriteNumberValue(t);
            json.WriteEndArray();
        }
        void Intervals(string name, List<LabelledInterval> intervals)
        {
            json.WriteStartArray(name);
            foreach (var i in intervals)
            {
                json.WriteStartObject();
                json.WriteNumber("start", i.Start);
                json.WriteNumber("end", i.End);
                json.WriteString("label", i.Label);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
    }

    private static string JsonLine(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The events of a track as flat rows: (kind, time or start, end, label); end and label null for instants.</summary>
    private static IEnumerable<(string Kind, double Time, double? End, string? Label)> EventRows(TrackEvents e) =>
        e.Onsets.Select(t => ("onset", t, (double?)null, (string?)null))
            .Concat(e.Beats.Select(t => ("beat", t, (double?)null, (string?)null)))
            .Concat(e.Downbeats.Select(t => ("downbeat", t, (double?)null, (string?)null)))
            .Concat(e.Chords.Select(c => ("chord", c.Start, (double?)c.End, (string?)c.Label)))
            .Concat(e.Segments.Select(s => ("segment", s.Start, (double?)s.End, (string?)s.Label)));

    /// <summary>
    /// One SQLite database, built in a temporary file and renamed: <c>tracks</c> (the results columns, <c>track</c> the
    /// primary key), <c>events</c> (track, kind, time, end_time, label), <c>tags</c> (track, tag, probability) and
    /// <c>errors</c> (file, track, stage, reason), in one transaction.
    /// </summary>
    private static void WriteSqlite(string path, IReadOnlyList<string> columns, Func<IEnumerable<TrackOutcome>> records)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId;
        File.Delete(temporary);
        try
        {
            using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
            {
                connection.Open();
                using var transaction = connection.BeginTransaction();
                string Sql(ColumnKind kind) => kind switch { ColumnKind.Integer => "INTEGER", ColumnKind.Real => "REAL", _ => "TEXT" };
                Execute(connection, $"CREATE TABLE tracks ({string.Join(", ", columns.Select(c => $"\"{c}\" {Sql(BatchColumns.KindOf(c))}{(c == "track" ? " PRIMARY KEY" : "")}"))})");
                Execute(connection, "CREATE TABLE events (track TEXT NOT NULL, kind TEXT NOT NULL, time REAL NOT NULL, end_time REAL, label TEXT)");
                Execute(connection, "CREATE TABLE tags (track TEXT NOT NULL, tag TEXT NOT NULL, probability REAL NOT NULL, PRIMARY KEY (track, tag))");
                Execute(connection, "CREATE TABLE errors (file TEXT NOT NULL, track TEXT PRIMARY KEY, stage TEXT NOT NULL, reason TEXT NOT NULL)");
                using var insertTrack = Prepared(connection, "tracks", columns.Count, columns);
                using var insertEvent = Prepared(connection, "events", 5);
                using var insertTag = Prepared(connection, "tags", 3);
                using var insertError = Prepared(connection, "errors", 4);
                foreach (var r in records())
                {
                    if (r.Error is { } e) Run(insertError, r.Path, r.Track, e.Stage, e.Reason);
                    if (r.Row is { } row) Run(insertTrack, [.. columns.Select(c => BatchColumns.Value(c, row.GetValueOrDefault(c, "")) ?? DBNull.Value)]);
                    if (r.Events is { } events)
                        foreach (var (kind, time, end, label) in EventRows(events))
                            Run(insertEvent, r.Track, kind, time, end is { } x ? x : DBNull.Value, label is { } l ? l : DBNull.Value);
                    if (r.Tags is { } tags) foreach (var t in tags) Run(insertTag, r.Track, t.Tag, (double)t.Probability);
                }
                Execute(connection, "CREATE INDEX events_track ON events (track)");
                transaction.Commit();
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        static void Execute(SqliteConnection connection, string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
        static SqliteCommand Prepared(SqliteConnection connection, string table, int count, IReadOnlyList<string>? names = null)
        {
            var command = connection.CreateCommand();
            var list = names is null ? "" : $" ({string.Join(", ", names.Select(n => $"\"{n}\""))})";
            command.CommandText = $"INSERT INTO {table}{list} VALUES ({string.Join(", ", Enumerable.Range(0, count).Select(i => "$p" + i))})";
            for (int i = 0; i < count; i++) command.Parameters.Add(new SqliteParameter("$p" + i, null));
            return command;
        }
        static void Run(SqliteCommand command, params object[] values)
        {
            for (int i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Parquet files (Parquet.Net), typed as <see cref="BatchColumns.KindOf"/> says, in row groups of 10,000 rows.</summary>
    private static void WriteParquet(string folder, IReadOnlyList<string> columns, Func<IEnumerable<TrackOutcome>> records)
    {
        var trackFields = columns.Select(c => (Column: c, Field: (DataField)(BatchColumns.KindOf(c) switch
        {
            ColumnKind.Integer => (DataField)new DataField<long?>(c),
            ColumnKind.Real => new DataField<double?>(c),
            _ => new DataField<string>(c, nullable: true),
        }))).ToList();
        WriteParquetFile(Path.Combine(folder, TracksParquet), new ParquetSchema(trackFields.Select(f => (Field)f.Field)),
            records().Where(r => r.Row is not null).Select(r => r.Row!), async (group, rows) =>
            {
                foreach (var (column, field) in trackFields)
                {
                    var values = rows.Select(row => BatchColumns.Value(column, row.GetValueOrDefault(column, ""))).ToArray();
                    switch (BatchColumns.KindOf(column))
                    {
                        case ColumnKind.Integer:
                            await group.WriteAsync<long>(field, values.Select(v => v as long?).ToArray());
                            break;
                        case ColumnKind.Real:
                            await group.WriteAsync<double>(field, values.Select(v => v as double?).ToArray());
                            break;
                        default:
                            await group.WriteAsync(field, values.Select(v => v as string).ToArray()!);
                            break;
                    }
                }
            });

        DataField track = new DataField<string>("track"), kind = new DataField<string>("kind"), label = new DataField<string>("label", nullable: true);
        DataField time = new DataField<double>("time"), end = new DataField<double?>("end_time");
        WriteParquetFile(Path.Combine(folder, EventsParquet), new ParquetSchema(track, kind, time, end, label),
            records().Where(r => r.Events is not null).SelectMany(r => EventRows(r.Events!).Select(e => (r.Track, e))), async (group, rows) =>
            {
                await group.WriteAsync(track, rows.Select(x => x.Track).ToArray());
                await group.WriteAsync(kind, rows.Select(x => x.e.Kind).ToArray());
                await group.WriteAsync<double>(time, rows.Select(x => x.e.Time).ToArray());
                await group.WriteAsync<double>(end, rows.Select(x => x.e.End).ToArray());
                await group.WriteAsync(label, rows.Select(x => x.e.Label).ToArray()!);
            });

        DataField tag = new DataField<string>("tag"), probability = new DataField<float>("probability");
        WriteParquetFile(Path.Combine(folder, TagsParquet), new ParquetSchema(track, tag, probability),
            records().Where(r => r.Tags is not null).SelectMany(r => r.Tags!.Select(t => (r.Track, t))), async (group, rows) =>
            {
                await group.WriteAsync(track, rows.Select(x => x.Track).ToArray());
                await group.WriteAsync(tag, rows.Select(x => x.t.Tag).ToArray());
                await group.WriteAsync<float>(probability, rows.Select(x => x.t.Probability).ToArray());
            });

        DataField file = new DataField<string>("file"), stage = new DataField<string>("stage"), reason = new DataField<string>("reason");
        WriteParquetFile(Path.Combine(folder, ErrorsParquet), new ParquetSchema(file, track, stage, reason),
            records().Where(r => r.Error is not null), async (group, rows) =>
            {
                await group.WriteAsync(file, rows.Select(x => x.Path).ToArray());
                await group.WriteAsync(track, rows.Select(x => x.Track).ToArray());
                await group.WriteAsync(stage, rows.Select(x => x.Error!.Stage).ToArray());
                await group.WriteAsync(reason, rows.Select(x => x.Error!.Reason).ToArray());
            });
    }

    private static void WriteParquetFile<T>(string path, ParquetSchema schema, IEnumerable<T> rows, Func<ParquetRowGroupWriter, IReadOnlyList<T>, Task> writeGroup)
    {
        AtomicFile.Write(path, stream =>
        {
            // Parquet.Net is asynchronous only; the run is a batch job on its own threads, so waiting here blocks nothing that matters.
            Task.Run(async () =>
            {
                await using var writer = await ParquetWriter.CreateAsync(schema, stream);
                var group = new List<T>(ParquetRowGroup);
                bool any = false;
                foreach (var row in rows)
                {
                    group.Add(row);
                    if (group.Count == ParquetRowGroup) { await Flush(); any = true; }
                }
                if (group.Count > 0 || !any) await Flush();

                async Task Flush()
                {
                    using var rowGroup = writer.CreateRowGroup();
                    await writeGroup(rowGroup, group);
                    group.Clear();
                }
            }).GetAwaiter().GetResult();
        });
    }
}
