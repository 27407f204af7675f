// Command sio is the command line for Socket.IO.
package main

import (
	"os"

	"github.com/siocli/sio/cmd"
)

func main() {
	os.Exit(cmd.Execute())
}
