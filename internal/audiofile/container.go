package audiofile

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// checkChunks walks the chunks of a RIFF (WAV) or FORM (AIFF) file before
// go-audio parses it, which allocates whatever a chunk's header declares:
// a header declaring a gigabyte must not cost a gigabyte. Every chunk must
// fit in the file, except the sample data (dataID), which a recorder that
// stopped early may leave shorter than declared; the format chunk
// (formatID) must be small.
func checkChunks(f *os.File, order binary.ByteOrder, formatID, dataID string) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	var hdr [8]byte
	for off := int64(12); off+8 <= size; {
		if _, err := f.ReadAt(hdr[:], off); err != nil {
			return err
		}
		id, n := string(hdr[:4]), int64(order.Uint32(hdr[4:]))
		switch {
		case id == dataID:
			return checkDataOffset(f, order, id, off, size)
		case id == formatID && n > maxFormatChunk:
			return fmt.Errorf("corrupt file: its %q chunk declares %d bytes", id, n)
		case off+8+n > size:
			return fmt.Errorf("corrupt file: its %q chunk at byte %d declares %d bytes, more than the file holds", id, off, n)
		}
		off += 8 + n + n%2
	}
	return nil
}

// checkDataOffset checks AIFF's SSND chunk, whose sample data starts after
// an offset the chunk declares (and go-audio allocates to skip): it must
// lie within the file. A WAV data chunk has no offset.
func checkDataOffset(f *os.File, order binary.ByteOrder, id string, off, size int64) error {
	if id != "SSND" {
		return nil
	}
	var b [4]byte
	if _, err := f.ReadAt(b[:], off+8); err != nil {
		return fmt.Errorf("corrupt file: its SSND chunk is cut off")
	}
	if skip := int64(order.Uint32(b[:])); off+16+skip > size {
		return fmt.Errorf("corrupt file: its SSND chunk's samples start %d bytes in, past the end of the file", skip)
	}
	return nil
}

// maxFormatChunk bounds a format chunk: WAV's is 16 to 40 bytes, AIFF-C's
// COMM at most 18 + 4 + 256.
const maxFormatChunk = 1024

// rewind puts f back at its start for the decoder.
func rewind(f *os.File) error {
	_, err := f.Seek(0, io.SeekStart)
	return err
}
