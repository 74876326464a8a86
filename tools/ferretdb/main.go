// Command ferretdb runs FerretDB v1, on PostgreSQL or on its pure-Go SQLite backend, for
// the test suite of the recovery link subgraph and for `npm run db`: a real MongoDB
// wire-protocol server without Docker.
//
// FerretDB is embedded through its documented ferretdb package rather than built from
// its cmd/ferretdb: that command panics at start when built outside FerretDB's own
// repository, because build/version/version.txt is generated there and absent from the
// published module. The embedded package skips that check and disables telemetry.
//
//	ferretdb [serve] --listen-addr 127.0.0.1:27017 (--postgresql-url URL | --state-dir DIR)
//	ferretdb create-database --postgresql-url URL [--throwaway] NAME
//	ferretdb drop-database --postgresql-url URL NAME
//	ferretdb drop-stale-databases --postgresql-url URL --prefix PREFIX --older-than 24h
//
// The database commands connect to the database named in URL (a maintenance database
// such as `postgres`) to create or drop another one on the same server: a test run gets
// a PostgreSQL database of its own, so runs sharing one server never see each other.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/jackc/pgx/v5"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("ferretdb: ")
	args := os.Args[1:]
	command := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		command, args = args[0], args[1:]
	}
	var err error
	switch command {
	case "serve":
		err = serve(args)
	case "create-database", "drop-database", "drop-stale-databases":
		err = manageDatabases(command, args)
	default:
		err = fmt.Errorf("unknown command %q (serve, create-database, drop-database, drop-stale-databases)", command)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func serve(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ExitOnError)
	listen := flags.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	postgresqlURL := flags.String("postgresql-url", "", "PostgreSQL database to store data in")
	stateDir := flags.String("state-dir", "", "folder for the SQLite databases, when there is no --postgresql-url")
	logLevel := flags.String("log-level", "warn", "debug, info, warn or error")
	poolSize := flags.Int("postgresql-pool", defaultPoolSize, "most PostgreSQL connections, unless the URL sets pool_max_conns")
	_ = flags.Parse(args)

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	config := ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	}
	switch {
	case *postgresqlURL != "" && *stateDir != "":
		return errors.New("give either --postgresql-url or --state-dir, not both")
	case *postgresqlURL != "":
		url, err := withConnectionDefaults(*postgresqlURL, *poolSize)
		if err != nil {
			return err
		}
		config.Handler, config.PostgreSQLURL = "postgresql", url
	case *stateDir != "":
		config.Handler, config.SQLiteURL = "sqlite", "file:"+*stateDir+"/"
	default:
		return errors.New("--postgresql-url or --state-dir is required")
	}

	server, err := ferretdb.New(&config)
	if err != nil {
		return err
	}
	// SIGTERM and SIGINT cancel the context; Run then closes listeners and the backend.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return server.Run(ctx)
}

// Names this tool creates or drops: plain identifiers, so they can be quoted safely.
var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func manageDatabases(command string, args []string) error {
	flags := flag.NewFlagSet(command, flag.ExitOnError)
	postgresqlURL := flags.String("postgresql-url", "postgres://127.0.0.1:5432/postgres", "maintenance database to connect to")
	prefix := flags.String("prefix", "", "drop-stale-databases: names that start with this, then a Unix time and _")
	olderThan := flags.Duration("older-than", 24*time.Hour, "drop-stale-databases: age from the Unix time in the name")
	throwaway := flags.Bool("throwaway", false, "create-database: commit without waiting for the WAL flush")
	// Fails fast where nothing listens, so callers can fall back to SQLite without waiting.
	timeout := flags.Duration("timeout", 3*time.Second, "connect timeout")
	_ = flags.Parse(args)

	config, err := pgx.ParseConfig(*postgresqlURL)
	if err != nil {
		return fmt.Errorf("--postgresql-url: %w", err)
	}
	config.ConnectTimeout = *timeout
	ctx, cancel := context.WithTimeout(context.Background(), *timeout+30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, config)
	if err != nil {
		return fmt.Errorf("PostgreSQL at %s:%d: %w", config.Host, config.Port, err)
	}
	defer conn.Close(context.Background())

	if command == "drop-stale-databases" {
		return dropStaleDatabases(ctx, conn, *prefix, *olderThan)
	}
	if flags.NArg() != 1 || !databaseName.MatchString(flags.Arg(0)) {
		return fmt.Errorf("%s needs one database name matching %s", command, databaseName)
	}
	name := flags.Arg(0)
	if command == "drop-database" {
		// FORCE ends connections a killed FerretDB may have left open.
		_, err = conn.Exec(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
		return err
	}
	// CREATE DATABASE has no IF NOT EXISTS; `npm run db` reuses its database across starts.
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.Exec(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
			return err
		}
	}
	if err := indexIDLookups(ctx, config, name); err != nil {
		return err
	}
	if *throwaway {
		// A test run's database lives minutes and is dropped after: a PostgreSQL crash may
		// lose its last commits but never corrupts it, and FerretDB's many small commits
		// (DDL for every scratch database) run about 40% faster without the flush.
		_, err = conn.Exec(ctx, `ALTER DATABASE "`+name+`" SET synchronous_commit = off`)
	}
	return err
}

// defaultPoolSize bounds the PostgreSQL connections of one FerretDB. FerretDB's own default
// (50) lets two FerretDBs take the 100 connections a developer machine usually allows. It
// must stay above the number of commands FerretDB can be given at once (the sum of its
// clients' maxPoolSize), because a findAndModify or update holds one connection for its
// query while it waits for a second one to write: with every connection held that way,
// FerretDB deadlocks. The test tooling gives its clients maxPoolSize=6 (see
// test/support/test-database.ts), so three busy clients at once stay below it.
const defaultPoolSize = 20

// withConnectionDefaults sets pool_max_conns (a pgx pool setting FerretDB passes on) and,
// for a PostgreSQL on this machine, sslmode=disable, unless the URL already sets them.
// pgx's default (prefer) encrypts even loopback traffic, which protects nothing there and
// cost FerretDB about an eighth of its CPU under load, and PostgreSQL as much again.
func withConnectionDefaults(postgresqlURL string, size int) (string, error) {
	parsed, err := url.Parse(postgresqlURL)
	if err != nil {
		return "", fmt.Errorf("--postgresql-url: %w", err)
	}
	values := parsed.Query()
	if !values.Has("pool_max_conns") {
		values.Set("pool_max_conns", strconv.Itoa(size))
	}
	if !values.Has("sslmode") && isLoopback(parsed.Hostname()) {
		values.Set("sslmode", "disable")
	}
	parsed.RawQuery = values.Encode()
	return parsed.String(), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// idIndexSQL makes PostgreSQL serve FerretDB's `_id` lookups from an index. FerretDB v1
// filters `_id` with `_jsonb->'_id' @> $2` (containment, which its unique btree index on
// `(_jsonb->'_id')` cannot serve), so without this every lookup by `_id` reads the whole
// table. A GIN index on the same expression serves containment; an event trigger adds one
// to every table FerretDB creates in this database, so no FerretDB code changes. Custom
// plans: FerretDB passes the key '_id' as a parameter too, and only a plan made for the
// actual parameter values sees the expression `_jsonb->'_id'` that the index is on.
// fastupdate off: otherwise new entries wait in a pending list that every lookup reads
// through, which after a bulk insert (the bench's 100,000 identities) makes each lookup
// a scan of that list until a vacuum merges it.
const idIndexSQL = `
CREATE OR REPLACE FUNCTION public.index_ferretdb_id_lookup(schema_name text, table_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin ((_jsonb -> ''_id'') jsonb_path_ops) WITH (fastupdate = off)',
		left(table_name, 50) || '_id_gin', schema_name, table_name);
END $$;
CREATE OR REPLACE FUNCTION public.index_ferretdb_id_lookups() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
	created record;
BEGIN
	FOR created IN
		SELECT c.relname, n.nspname FROM pg_event_trigger_ddl_commands() AS d
		JOIN pg_class AS c ON c.oid = d.objid JOIN pg_namespace AS n ON n.oid = c.relnamespace
		WHERE d.command_tag = 'CREATE TABLE' AND d.object_type = 'table' AND c.relkind = 'r'
			AND NOT starts_with(c.relname, '_ferretdb_')
			AND EXISTS (SELECT 1 FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = '_jsonb' AND NOT a.attisdropped)
	LOOP
		PERFORM public.index_ferretdb_id_lookup(created.nspname, created.relname);
	END LOOP;
END $$;
DO $$
DECLARE
	existing record;
BEGIN
	-- A database kept across starts (npm run db) has tables from before the trigger.
	FOR existing IN
		SELECT c.relname, n.nspname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
		WHERE c.relkind = 'r' AND NOT starts_with(c.relname, '_ferretdb_')
			AND n.nspname NOT IN ('pg_catalog', 'information_schema')
			AND EXISTS (SELECT 1 FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = '_jsonb' AND NOT a.attisdropped)
	LOOP
		PERFORM public.index_ferretdb_id_lookup(existing.nspname, existing.relname);
	END LOOP;
END $$;
DROP EVENT TRIGGER IF EXISTS index_ferretdb_id_lookups;
CREATE EVENT TRIGGER index_ferretdb_id_lookups ON ddl_command_end WHEN TAG IN ('CREATE TABLE')
	EXECUTE FUNCTION public.index_ferretdb_id_lookups();
`

// indexIDLookups installs idIndexSQL in database name (event triggers belong to one
// database, so this connects to it), and asks for custom plans there.
func indexIDLookups(ctx context.Context, maintenance *pgx.ConnConfig, name string) error {
	config := maintenance.Copy()
	config.Database = name
	conn, err := pgx.ConnectConfig(ctx, config)
	if err != nil {
		return fmt.Errorf("PostgreSQL database %s: %w", name, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, idIndexSQL); err != nil {
		return fmt.Errorf("the _id index trigger in %s: %w", name, err)
	}
	_, err = conn.Exec(ctx, `ALTER DATABASE "`+name+`" SET plan_cache_mode = force_custom_plan`)
	return err
}

// dropStaleDatabases removes what test runs killed before their teardown left behind,
// so a shared server does not collect databases; live runs are far younger than the cut.
func dropStaleDatabases(ctx context.Context, conn *pgx.Conn, prefix string, olderThan time.Duration) error {
	if !databaseName.MatchString(prefix) {
		return fmt.Errorf("--prefix must match %s", databaseName)
	}
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, prefix)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	cut := time.Now().Add(-olderThan).Unix()
	for _, name := range names {
		created, _, found := strings.Cut(strings.TrimPrefix(name, prefix), "_")
		seconds, err := strconv.ParseInt(created, 10, 64)
		if !found || err != nil || seconds >= cut {
			continue
		}
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			return err
		}
	}
	return nil
}
