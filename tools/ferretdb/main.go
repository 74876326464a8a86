// Command ferretdb runs FerretDB v1 with its pure-Go SQLite backend, for the test suite
// of the recovery link subgraph: a real MongoDB wire-protocol server without Docker.
//
// FerretDB is embedded through its documented ferretdb package rather than built from
// its cmd/ferretdb: that command panics at start when built outside FerretDB's own
// repository, because build/version/version.txt is generated there and absent from the
// published module. The embedded package skips that check and disables telemetry.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	stateDir := flag.String("state-dir", "", "folder for the SQLite databases (required)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	if *stateDir == "" {
		log.Fatal("--state-dir is required")
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatalf("--log-level: %v", err)
	}

	server, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *stateDir + "/",
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})),
	})
	if err != nil {
		log.Fatal(err)
	}

	// SIGTERM and SIGINT cancel the context; Run then closes listeners and the backend.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := server.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
