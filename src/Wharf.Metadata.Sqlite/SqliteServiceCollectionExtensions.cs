using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>Registers the SQLite metadata store at <paramref name="databasePath"/> for every metadata role.</summary>
    public static IServiceCollection AddWharfSqliteMetadata(this IServiceCollection services, string databasePath)
    {
        services.AddSingleton(_ => new SqliteDatabase(databasePath));
        services.AddSingleton<IBlobIndex, SqliteBlobIndex>();
        services.AddSingleton<IManifestReader, SqliteManifestReader>();
        services.AddSingleton<IManifestWriter, SqliteManifestWriter>();
        services.AddSingleton<IRepositoryReader, SqliteRepositoryReader>();
        services.AddSingleton<IUploadSessionStore, SqliteUploadSessionStore>();
        services.AddSingleton<IUserStore, SqliteUserStore>();
        services.AddSingleton<IAccessTokenStore, SqliteAccessTokenStore>();
        services.AddSingleton<ITagDetailsReader, SqliteTagDetailsReader>();
        services.AddSingleton<IRepositoryInfoStore, SqliteRepositoryInfoStore>();
        services.AddSingleton<IRepositorySearch, SqliteRepositorySearch>();
        services.AddSingleton<SqliteUsageStore>();
        services.AddSingleton<IUsageWriter>(sp => sp.GetRequiredService<SqliteUsageStore>());
        services.AddSingleton<IPullStatsReader>(sp => sp.GetRequiredService<SqliteUsageStore>());
        return services;
    }
}
