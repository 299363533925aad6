namespace MusicML.Audio;

/// <summary>What a file holds, read from its header without decoding the audio.</summary>
/// <param name="Path">The file as given.</param>
/// <param name="Format">
/// Container name as libsndfile/soundfile spell it: <c>WAV</c>, <c>WAVEX</c> (WAVE_FORMAT_EXTENSIBLE), <c>AIFF</c>,
/// <c>FLAC</c>, <c>OGG</c>, <c>MP3</c>, …
/// </param>
/// <param name="Subtype">
/// Sample encoding as soundfile spells it: <c>PCM_U8</c>, <c>PCM_16</c>, <c>PCM_24</c>, <c>PCM_32</c>, <c>FLOAT</c>,
/// <c>DOUBLE</c>, <c>VORBIS</c>, <c>OPUS</c>, <c>MPEG_LAYER_III</c>, …
/// </param>
/// <param name="SampleRate">Native sampling rate in Hz.</param>
/// <param name="ChannelCount">Number of channels.</param>
/// <param name="FrameCount">Number of frames (samples per channel) as the decoder reports it.</param>
public sealed record AudioInfo(string Path, string Format, string Subtype, int SampleRate, int ChannelCount, long FrameCount)
{
    /// <summary>Length in seconds: <see cref="FrameCount"/> / <see cref="SampleRate"/>.</summary>
    public double Duration => (double)FrameCount / SampleRate;
}
