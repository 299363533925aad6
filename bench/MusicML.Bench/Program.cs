using BenchmarkDotNet.Running;
using MusicML.Bench;

// `cpu-time` runs the front end's CPU-time table (FrontEndCpuTime); anything else goes to BenchmarkDotNet, which
// discovers every benchmark class in this assembly; pick with --filter, e.g.
//   dotnet run -c Release --project bench/MusicML.Bench -- --filter '*Feature*'
// `ann` runs the nearest-neighbour table (AnnBenchmark); `allocations FILE` the bytes one analysis allocates per task (TrackAllocations).
if (args.Length > 0 && args[0] == "cpu-time") FrontEndCpuTime.Run(args);
else if (args.Length > 0 && args[0] == "ann") AnnBenchmark.Run(args);
else if (args.Length > 0 && args[0] == "allocations") TrackAllocations.Run(args);
else BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
