using System.Globalization;
using Wharf.Bench.Load;

// The load client of bench/run.sh. Each command runs one workload against one registry and prints one
// JSON object on stdout; run.sh adds the server's CPU time around it. See bench/README.md.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Wharf.Bench.Load COMMAND [key=value ...]   (commands: see bench/README.md)");
    return 2;
}

var options = Options.Parse(args.Skip(1));
try
{
    string output = args[0] switch
    {
        "push-mono" => await Blobs.PushMonolithicAsync(options),
        "push-chunked" => await Blobs.PushChunkedAsync(options),
        "pull" => await Blobs.PullAsync(options),
        "range" => await Blobs.RangeAsync(options),
        "digest" => Blobs.FileDigest(options.Get("file")),
        "seed-hot" => await Images.SeedHotAsync(options),
        "small-images" => await Images.SmallImagesAsync(options),
        "seed-tags" => await Images.SeedTagsAsync(options),
        "seed-repos" => await Images.SeedRepositoriesAsync(options),
        "tags-list" => await Listings.TagsListAsync(options),
        "catalog-walk" => await Listings.CatalogWalkAsync(options),
        "catalog-first" => await Listings.CatalogFirstPageAsync(options),
        "seed-wharf-db" => Seeding.SeedWharfDatabase(options),
        "seed-dist-dirs" => Seeding.SeedDistributionDirectories(options),
        "sha256" => Sha.Run(options),
        "report" => Report.Run(options),
        _ => throw new ArgumentException($"unknown command '{args[0]}'"),
    };
    Console.WriteLine(output);
    return 0;
}
catch (Exception e) when (e is BenchException or ArgumentException or HttpRequestException or IOException)
{
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{args[0]}: {e.Message}"));
    return 1;
}
