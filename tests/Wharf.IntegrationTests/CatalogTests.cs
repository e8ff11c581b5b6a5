using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class CatalogTests
{
    private static readonly string[] Repositories = ["zeta", "alpha/beta", "alpha", "library/ubuntu", "library/alpine", "m-1"];

    private static async Task<Registry> WithRepositoriesAsync(WharfTestServer server)
    {
        var registry = new Registry(server);
        foreach (var repository in Repositories)
        {
            await registry.PushImageAsync(repository, "latest");
        }

        return registry;
    }

    [Fact]
    public async Task Lists_repositories_in_lexical_order()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithRepositoriesAsync(server);

        using var response = await registry.GetAsync("/v2/_catalog");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Repositories.Order(StringComparer.Ordinal), await Json.RepositoriesAsync(response));
    }

    [Fact]
    public async Task Empty_registry_has_an_empty_catalog()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var response = await registry.GetAsync("/v2/_catalog");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await Json.RepositoriesAsync(response));
    }

    [Fact]
    public async Task N_and_link_paginate()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithRepositoriesAsync(server);

        using var response = await registry.GetAsync("/v2/_catalog?n=2");

        var page = await Json.RepositoriesAsync(response);
        Assert.Equal(["alpha", "alpha/beta"], page);
        var next = LinkHeader.Next(response);
        Assert.NotNull(next);
        var (path, n, last) = LinkHeader.Parse(next);
        Assert.Equal("/v2/_catalog", path);
        Assert.Equal("2", n);
        Assert.Equal("alpha/beta", last);
    }

    [Fact]
    public async Task Following_links_yields_every_repository_once()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithRepositoriesAsync(server);
        var all = new List<string>();
        string? url = "/v2/_catalog?n=4";

        for (var pages = 0; url is not null; pages++)
        {
            Assert.True(pages < 10, "pagination does not terminate");
            using var response = await registry.GetAsync(url);
            all.AddRange(await Json.RepositoriesAsync(response));
            url = LinkHeader.Next(response);
        }

        Assert.Equal(Repositories.Order(StringComparer.Ordinal), all);
    }

    [Fact]
    public async Task Last_is_exclusive_and_n_zero_is_empty()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithRepositoriesAsync(server);

        using var after = await registry.GetAsync("/v2/_catalog?n=2&last=library/alpine");
        Assert.Equal(["library/ubuntu", "m-1"], await Json.RepositoriesAsync(after));
        using var none = await registry.GetAsync("/v2/_catalog?n=0");
        Assert.Empty(await Json.RepositoriesAsync(none));
        Assert.Null(LinkHeader.Next(none));
    }
}
