using BenchmarkDotNet.Running;

// Every benchmark class in this assembly is discovered; pick with --filter, e.g.
//   dotnet run -c Release --project bench/MusicML.Bench -- --filter '*Feature*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
