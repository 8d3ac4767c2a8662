SetVar(name, QR text)P(This is the first line.
  This is the second line.)QRcode(#name#)