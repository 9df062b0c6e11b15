package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/valet/printing/internal/flow"
	"github.com/valet/printing/internal/kiosk"
	"github.com/valet/printing/internal/proof"
	"github.com/valet/printing/internal/store"
)

// kioskClientID is the kiosk's registration at Accounts: a public client for the device grant.
const kioskClientID = "kiosk"

// runKiosk is `printing kiosk`: one customer at the photo kiosk. It reads the same PRINTING_*
// variables as the server (issuer, back channels, database) and takes its choices as flags, or
// asks on standard input, so that it runs without a terminal too.
func runKiosk(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	flags := flag.NewFlagSet("printing kiosk", flag.ContinueOnError)
	flags.SetOutput(stdout)
	photo := flags.String("photo", "", "the photo to print: its id or its number in the list (default: ask on standard input)")
	size := flags.String("size", "4x6", "the print size: 4x6, 5x7 or 8x10")
	out := flags.String("out", "kiosk-proof.jpg", "where to write the proof JPEG")
	walkthrough := flags.Bool("walkthrough", true, "keep the recorded flow in PRINTING_DB for PrintShop's /flow/kiosk")
	if err := flags.Parse(args); errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is printed, and that is all that was asked
	} else if err != nil {
		return err
	}
	printSize, ok := proof.SizeByName(*size)
	if !ok {
		return fmt.Errorf("-size %q: use 4x6, 5x7 or 8x10", *size)
	}
	kc := kiosk.Config{
		Issuer: cfg.Issuer, AuthServerURL: cfg.AuthServerURL, PhotosURL: cfg.PhotosURL, ClientID: kioskClientID,
		Photo: *photo, Size: printSize, ProofPath: *out, In: stdin, Out: stdout, Interactive: isTerminal(stdout),
	}
	if *walkthrough {
		kc.Save = func(ctx context.Context, username string, started time.Time, events []flow.Event, sheet []byte) error {
			st, err := openStore(ctx, cfg.DB)
			if err != nil {
				return err
			}
			defer st.Close()
			return st.SaveKioskVisit(ctx, store.KioskVisit{Username: username, Started: started, Events: events, Proof: sheet})
		}
	}
	return kiosk.Run(ctx, kc)
}

// isTerminal reports whether w is a terminal, where the countdown can redraw one line in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
