package io.facestream.detect;

/** A face warped onto the alignment template: a size x size JPEG, and how it was aligned. */
public record AlignedFace(byte[] jpeg, int size, FaceAlignment alignment) {}
