using System.CommandLine;
using Wharf.Core.Metadata;
using Wharf.Core.Policies;
using Wharf.Core.Protocol;

namespace Wharf.Commands;

/// <summary><c>wharf quota status [NAMESPACE]</c>: storage used by namespaces of the configured store, against their quotas.</summary>
public static class QuotaCommand
{
    public static Command Create() => new("quota", "Namespace storage quotas (Quotas)") { Status() };

    private static Command Status()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var name = new Argument<string?>("NAMESPACE") { Description = "One namespace (default: every namespace with repositories or a quota)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("status", "Show each namespace's usage (distinct blob bytes) and quota") { name, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            var only = parse.GetValue(name);
            if (only is not null && (only.Contains('/', StringComparison.Ordinal) || !RepositoryName.IsValid(only)))
            {
                await Console.Error.WriteLineAsync($"'{only}' is not a namespace (the first path segment of repository names)");
                return 1;
            }

            await using var services = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var quotas = services.GetRequiredService<NamespaceQuotas>();
            var names = only is not null ? [only] : await NamespacesAsync(services.GetRequiredService<IRepositoryReader>(), quotas.Policy, ct);
            foreach (var namespaceName in names)
            {
                Console.WriteLine(Line(await quotas.StatusAsync(namespaceName, ct)));
            }

            return 0;
        }));
        return command;
    }

    /// <summary><c>team-a: 1048576 of 10737418240 bytes used (1 MiB of 10 GiB)</c>, or <c>…bytes used (…), no quota</c>.</summary>
    private static string Line(NamespaceUsage status) => status.Quota is { } quota
        ? $"{status.Namespace}: {status.Usage} of {quota} bytes used ({PolicyText.FormatSize(status.Usage)} of {PolicyText.FormatSize(quota)})"
        : $"{status.Namespace}: {status.Usage} bytes used ({PolicyText.FormatSize(status.Usage)}), no quota";

    private static async Task<IReadOnlyList<string>> NamespacesAsync(IRepositoryReader repositories, QuotaPolicy policy, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(policy.Namespaces.Keys, StringComparer.Ordinal);
        string? last = null;
        while (true)
        {
            var page = await repositories.ListAsync(last, 1000, cancellationToken);
            foreach (var repository in page.Items)
            {
                names.Add(RepositoryNamespace.Of(repository));
            }

            if (!page.HasMore || page.Items.Count == 0)
            {
                return [.. names];
            }

            last = page.Items[^1];
        }
    }
}
