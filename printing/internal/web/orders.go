package web

// Print orders: the user picks photos, a size and copies; PrintShop downloads each full photo
// with the access token and renders a proof. The proof is PrintShop's own copy: it stays with
// the order after a disconnect.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decodes the photos Photos serves
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/valet/printing/internal/photosapi"
	"github.com/valet/printing/internal/proof"
	"github.com/valet/printing/internal/store"
)

const maxPhotosPerOrder = 12

// Order status moves on with time, as a real print shop's would.
const (
	printingAfter = 1 * time.Minute
	shippedAfter  = 3 * time.Minute
)

// orderStatus is where an order placed at created is, at now.
func orderStatus(created, now time.Time) string {
	switch age := now.Sub(created); {
	case age < printingAfter:
		return "received"
	case age < shippedAfter:
		return "printing"
	}
	return "shipped"
}

type orderView struct {
	store.Order
	Status string
}

// handlePlaceOrder validates the order form, downloads the photos, renders the proof and stores
// the order.
func handlePlaceOrder(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		form, sess, err := a.sessions.postedForm(c, "photo")
		if err != nil {
			return err
		}
		if sess.Username == "" {
			return &redirect{to: "/?notice=sign-in"}
		}
		ids := form["photo"]
		size, sizeOK := proof.SizeByName(form.Get("size"))
		copies, copiesErr := strconv.Atoi(form.Get("copies"))
		switch {
		case len(ids) == 0:
			return badOrder("Tick at least one photo to print.")
		case len(ids) > maxPhotosPerOrder:
			return badOrder(fmt.Sprintf("An order holds at most %d photos.", maxPhotosPerOrder))
		case !sizeOK:
			return badOrder("Pick a print size: 4x6, 5x7 or 8x10.")
		case copiesErr != nil || copies < 1 || copies > 99:
			return badOrder("Copies must be a number from 1 to 99.")
		}
		ctx := c.Request().Context()
		var prints []proof.Print
		err = a.tokens.withToken(ctx, sess.Username, func(ctx context.Context, token string) error {
			library, err := a.photos.List(ctx, token)
			if err != nil {
				return err
			}
			prints = prints[:0]
			for _, id := range ids {
				p, ok := findPhoto(library, id)
				if !ok {
					return badOrder("One of the ticked photos is not in your library any more. Reload the gallery.")
				}
				data, err := a.photos.Content(ctx, token, id)
				if err != nil {
					return err
				}
				img, _, err := image.Decode(bytes.NewReader(data))
				if err != nil {
					return &pageError{Status: http.StatusBadGateway, Title: "Photos sent something that is not a picture",
						Message: fmt.Sprintf("%q could not be decoded: %v", p.Title, err)}
				}
				prints = append(prints, proof.Print{Title: p.Title, Image: img, Size: size, Copies: copies})
			}
			return nil
		})
		if err != nil {
			return err
		}
		sheet, err := proof.Render(prints)
		if err != nil {
			return err
		}
		order := store.Order{Username: sess.Username, Size: size.Name, Copies: copies, CreatedAt: a.now()}
		for _, p := range prints {
			order.Titles = append(order.Titles, p.Title)
		}
		id, err := a.store.AddOrder(ctx, order, sheet)
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, "/orders/"+strconv.FormatInt(id, 10))
	}
}

func findPhoto(library []photosapi.Photo, id string) (photosapi.Photo, bool) {
	for _, p := range library {
		if p.ID == id {
			return p, true
		}
	}
	return photosapi.Photo{}, false
}

func badOrder(msg string) *pageError {
	return &pageError{Status: http.StatusBadRequest, Title: "The order is not complete", Message: msg, Retry: "/photos"}
}

// handleOrders lists the user's orders with their status.
func handleOrders(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, err := a.signedIn(c)
		if err != nil {
			return err
		}
		orders, err := a.store.Orders(c.Request().Context(), sess.Username)
		if err != nil {
			return err
		}
		views := make([]orderView, len(orders))
		for i, o := range orders {
			views[i] = orderView{Order: o, Status: orderStatus(o.CreatedAt, a.now())}
		}
		return a.pages.render(c, http.StatusOK, "orders.html", pageData{Title: "Your orders", User: sess.Username,
			CSRFToken: sess.CSRFToken, Data: views})
	}
}

// handleOrder shows one order with its proof.
func handleOrder(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, o, err := a.order(c)
		if err != nil {
			return err
		}
		return a.pages.render(c, http.StatusOK, "order.html", pageData{Title: fmt.Sprintf("Order %d", o.ID), User: sess.Username,
			CSRFToken: sess.CSRFToken, Data: orderView{Order: o, Status: orderStatus(o.CreatedAt, a.now())}})
	}
}

// handleProof serves an order's proof JPEG.
func handleProof(a *app) echo.HandlerFunc {
	return func(c echo.Context) error {
		sess, o, err := a.order(c)
		if err != nil {
			return err
		}
		sheet, err := a.store.Proof(c.Request().Context(), sess.Username, o.ID)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "private, max-age=3600")
		return c.Blob(http.StatusOK, "image/jpeg", sheet)
	}
}

// order loads the order named in the path, for the signed-in user only.
func (a *app) order(c echo.Context) (store.Session, store.Order, error) {
	sess, err := a.signedIn(c)
	if err != nil {
		return store.Session{}, store.Order{}, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	var o store.Order
	if err == nil {
		o, err = a.store.Order(c.Request().Context(), sess.Username, id)
	}
	if err != nil && (errors.Is(err, store.ErrNotFound) || errors.Is(err, strconv.ErrSyntax) || errors.Is(err, strconv.ErrRange)) {
		return sess, store.Order{}, &pageError{Status: http.StatusNotFound, Title: "No such order",
			Message: "You have no order with that number.", Retry: "/orders"}
	}
	return sess, o, err
}
