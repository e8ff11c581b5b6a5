using BenchmarkDotNet.Running;

// Micro-benchmarks of Wharf's hot paths. Run all: dotnet run -c Release -- --filter '*'
// bench/check-budgets.sh runs them with a short job and compares allocations with bench/budgets.json.
BenchmarkSwitcher.FromAssembly(typeof(Wharf.Benchmarks.BodyCopyBenchmarks).Assembly).Run(args);
