using System.CommandLine;
using Wharf.Core.Services.Gc;

namespace Wharf.Commands;

/// <summary><c>wharf repo delete NAME</c>: deletes a repository; its blobs are reclaimed by the collector after the grace period.</summary>
public static class RepoCommand
{
    public static Command Create() => new("repo", "Manage repositories") { Delete() };

    private static Command Delete()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var name = new Argument<string>("name") { Description = "The repository, e.g. team/app" };
        var command = new Command("delete", "Delete a repository with its tags and manifests") { name, data, config };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            var repository = parse.GetValue(name)!;
            if (!Wharf.Core.Protocol.RepositoryName.IsValid(repository))
            {
                Console.Error.WriteLine($"wharf repo delete: '{repository}' is not a valid repository name");
                return 1;
            }

            await using var services = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            var deleted = await services.GetRequiredService<RepositoryRemover>().DeleteAsync(repository, cancellationToken);
            if (!deleted.IsOk)
            {
                Console.Error.WriteLine($"wharf repo delete: no repository {repository}");
                return 1;
            }

            Console.WriteLine($"deleted repository {repository}; its blobs are reclaimed after the garbage collector's grace period");
            return 0;
        }));
        return command;
    }
}
