using MusicML.Cli.Infrastructure;

return CommandLineApp.Run(args, Console.Out, Console.Error);
