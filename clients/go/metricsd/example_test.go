package metricsd_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"metricsd/clients/go/metricsd"
)

// An application starts its own daemon (the binary shipped in its bundle) and sends the
// agent's events for its lifetime. A failed start never stops the application: it gets a
// no-op client, and the start is bounded by a short context so the UI never waits long.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	side, err := metricsd.Spawn(ctx, "/path/to/metricsd") // metricsd run --watch-stdin
	cancel()
	if err != nil {
		log.Printf("metrics off: %v", err) // the daemon's stderr (ours) says why
	}
	client, _ := side.Dial(context.Background(), "1.4.0") // a no-op client if the start failed
	client.Turn("stop", false)                            // ... the agent's events

	// At exit: the client first, then the daemon, each with a deadline.
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = client.Close(shutdown)
	_ = side.Close(shutdown)
	fmt.Println(client.Reason() != "")
	// Output: true
}

// A nil *Client is a valid no-op: an application can keep a nil client when metrics are
// off and call it everywhere without checks.
func ExampleClient_nil() {
	var client *metricsd.Client
	client.Turn("stop", false)
	client.ToolResult("command timed out")
	err := client.Sync(context.Background())
	fmt.Println(errors.Is(err, metricsd.ErrNoClient))
	// Output: true
}

// The three forms of token usage, as the providers report them; a count the provider
// leaves out is 0 (Count turns an optional *int64 into one).
func ExampleClient_UsageTotal() {
	client := metricsd.NoopClient("example")
	// OpenAI chat completions: usage.prompt_tokens, usage.prompt_tokens_details.cached_tokens
	client.UsageTotal(1200, 1024)
	// Anthropic: usage.input_tokens, cache_read_input_tokens, cache_creation_input_tokens
	client.UsageReadWrite(12, 90000, 2048)
	// DeepSeek: usage.prompt_cache_hit_tokens, usage.prompt_cache_miss_tokens
	client.Usage(950, 50)
	var cached *int64 // not reported
	client.UsageTotal(40, metricsd.Count(cached))
	fmt.Println(client.Stats().Dropped) // a no-op client counts what it did not send
	// Output: 4
}

// Sync says whether every event since the previous report reached the daemon; a loss is
// reported once, with its counts.
func ExampleClient_Sync() {
	client, _ := metricsd.Dial(context.Background(), metricsd.Options{
		Socket: filepath.Join(os.TempDir(), "metricsd-example-absent.sock")})
	client.Turn("stop", false)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := client.Sync(ctx) // no daemon: no answer in time
	fmt.Println(errors.Is(err, context.DeadlineExceeded))
	var lost *metricsd.LostError
	if err := client.Close(ctx); errors.As(err, &lost) {
		fmt.Println("dropped:", lost.Dropped)
	}
	// Output:
	// true
	// dropped: 1
}

// The provider error's message first, then its HTTP status (0 when there is none).
func ExampleClient_ProviderError() {
	var client *metricsd.Client
	client.ProviderError("rate limit exceeded", 429)
	fmt.Println(client.Stats())
	// Output: metricsd stats: 0 queued, 0 dropped, 0 unconfirmed, 0 connects (0 reconnects), 0 refused
}
